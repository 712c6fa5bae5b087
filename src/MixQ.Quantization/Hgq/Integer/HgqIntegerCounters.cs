namespace MixQ.Quantization.Hgq.Integer;

/// <summary>Statistics of an integer evaluation.</summary>
public sealed class HgqIntegerCounters
{
    /// <summary>
    /// Accumulators whose worst partial sum (Σ|products| + |bias|) reached 2^24 accumulator steps: there a float32
    /// forward pass may round and the float model is no longer guaranteed to match (none is expected).
    /// </summary>
    public long Float32Risks { get; set; }

    /// <summary>Multiplications skipped because the weight code is 0 (pruned) or the activation code is 0.</summary>
    public long SkippedMultiplications { get; set; }

    public long Multiplications { get; set; }

    public void Add(HgqIntegerCounters other)
    {
        Float32Risks += other.Float32Risks;
        SkippedMultiplications += other.SkippedMultiplications;
        Multiplications += other.Multiplications;
    }
}
