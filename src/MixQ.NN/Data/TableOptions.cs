namespace MixQ.NN.Data;

/// <summary>How to read a CSV/TSV table of numbers with one integer class-label column.</summary>
public sealed record TableOptions
{
    /// <summary>Field separator; null picks tab for .tsv/.tab files, comma for .csv, else sniffs the first line.</summary>
    public char? Delimiter { get; init; }

    /// <summary>Whether the first row names the columns; null treats it as a header when any field is not a number.</summary>
    public bool? HasHeader { get; init; }

    /// <summary>Zero-based label column; negative counts from the end (-1, the default, is the last column).</summary>
    public int LabelColumn { get; init; } = -1;

    /// <summary>Label column by header name; overrides <see cref="LabelColumn"/> and requires a header.</summary>
    public string? LabelName { get; init; }

    /// <summary>Number of classes; null uses the largest label + 1.</summary>
    public int? NumClasses { get; init; }
}
