namespace MixQ.Quantization.Hgq;

/// <summary>Settings of one HGQ quantizer (weights or activations).</summary>
public sealed record HgqQuantizerConfig
{
    /// <summary>Smallest fractional bit count a trainable f may take (low enough to round any weight to 0).</summary>
    public const int LowestFractionalBits = -32;

    /// <summary>Largest f: with 24-bit codes, products of two 12-bit fractions still leave float32 room to add.</summary>
    public const int HighestFractionalBits = 16;

    public HgqGranularity Granularity { get; init; } = HgqGranularity.Element;
    /// <summary>Starting value of every trainable f.</summary>
    public float InitialFractionalBits { get; init; } = 6f;
    public int MinFractionalBits { get; init; } = -8;
    public int MaxFractionalBits { get; init; } = 10;
    public RoundingMode Rounding { get; init; } = RoundingMode.RoundHalfUp;
    public OverflowMode Overflow { get; init; } = OverflowMode.Saturate;
    /// <summary>When false, f is a buffer: the format stays where it starts (uniform fixed-point QAT with HGQ's machinery).</summary>
    public bool Trainable { get; init; } = true;

    /// <summary>Throws a <see cref="MixQException"/> naming the bad setting; <paramref name="what"/> says whose settings.</summary>
    public HgqQuantizerConfig Validate(string what)
    {
        if (MinFractionalBits < LowestFractionalBits || MaxFractionalBits > HighestFractionalBits || MinFractionalBits > MaxFractionalBits)
            throw new MixQException($"{what}: fractional bits must satisfy {LowestFractionalBits} <= min <= max <= {HighestFractionalBits}, got [{MinFractionalBits}, {MaxFractionalBits}]");
        if (!float.IsFinite(InitialFractionalBits) || InitialFractionalBits < MinFractionalBits || InitialFractionalBits > MaxFractionalBits)
            throw new MixQException($"{what}: initial fractional bits {InitialFractionalBits} lie outside [{MinFractionalBits}, {MaxFractionalBits}]");
        return this;
    }
}
