namespace MixQ.Quantization.Integer;

/// <summary>
/// The integer range of a layer's input codes: unsigned b-bit codes 0..2^b - 1 (after ReLU) or signed symmetric
/// codes -(2^(b-1) - 1)..2^(b-1) - 1. The code 0 is the real value 0 in both. Row-wise models use 2..8 bits; HGQ
/// models align per-element codes to a common grid, which can take more (up to <see cref="MaxBits"/>).
/// </summary>
public sealed record ActivationCodes(int Bits, bool Signed)
{
    /// <summary>Widest code range a Dense/Conv2d input may declare: products with 31-bit multiplicands stay below 2^93.</summary>
    public const int MaxBits = 62;

    /// <summary>Largest code: 2^b - 1 unsigned, 2^(b-1) - 1 signed (also the number of steps from 0 to the clip).</summary>
    public long MaxCode => Signed ? (1L << (Bits - 1)) - 1 : (1L << Bits) - 1;

    public long MinCode => Signed ? -MaxCode : 0;

    public ActivationCodes Validate(string where, int maxBits = MaxBits)
    {
        if (Bits < 2 || Bits > maxBits) throw new MixQException($"{where}: activation bits must be 2..{maxBits}, got {Bits}");
        return this;
    }

    /// <summary>The narrowest codes (at least 2 bits) that hold every integer in [lo, hi].</summary>
    public static ActivationCodes Covering(long lo, long hi)
    {
        if (lo > hi) throw new ArgumentException($"empty range [{lo}, {hi}]");
        bool signed = lo < 0;
        long magnitude = signed ? Math.Max(hi, lo == long.MinValue ? long.MaxValue : -lo) : hi;
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)magnitude) + (signed ? 1 : 0);
        return new ActivationCodes(Math.Max(2, bits), signed);
    }

    public override string ToString() => $"{(Signed ? "s" : "u")}{Bits}";
}
