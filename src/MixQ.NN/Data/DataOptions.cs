namespace MixQ.NN.Data;

/// <summary>Where data sets live and how <see cref="DataRegistry"/> prepares them.</summary>
public sealed record DataOptions
{
    /// <summary>Standardize with train statistics (<see cref="Normalization.DefaultFor"/>); text is never normalized.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Download cache; null means $MIXQ_CACHE, else ~/.cache/mixq.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The shared data folder; null means $MIXQ_DATA, else a <c>shared/data</c> found upward.</summary>
    public string? SharedDataDirectory { get; init; }

    /// <summary>Where the dataset-fashion-mnist package installs its files.</summary>
    public string FashionMnistDirectory { get; init; } = "/usr/share/datasets/fashion-mnist";

    public TextOptions Text { get; init; } = new();

    public TableOptions Table { get; init; } = new();

    /// <summary>For a single table file: an explicit test file (else one found alongside, else a random split).</summary>
    public string? TestPath { get; init; }

    /// <summary>Share of a single table file held out for testing when no test file exists.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Seed of the random train/test split of a single table file.</summary>
    public int SplitSeed { get; init; }
}
