namespace MixQ.NN.Data;

/// <summary>How sentences become fixed-length sequences of token ids.</summary>
public sealed record TextOptions
{
    /// <summary>Sequence length T: longer sentences are truncated, shorter ones padded with id 0.</summary>
    public int MaxLength { get; init; } = 64;

    /// <summary>Training-set occurrences a word needs to get its own id (rarer words map to &lt;unk&gt;).</summary>
    public int MinFrequency { get; init; } = 1;

    /// <summary>Largest vocabulary size including &lt;pad&gt; and &lt;unk&gt;; null for no limit.</summary>
    public int? MaxVocabulary { get; init; }
}
