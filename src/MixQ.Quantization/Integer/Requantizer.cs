namespace MixQ.Quantization.Integer;

/// <summary>
/// Integer requantization: the real factor M > 0 that maps an accumulator to the next code scale is stored as
/// an integer multiplier m in [2^30, 2^31) and a right shift s, M ≈ m / 2^s (relative error below 2^-31).
/// <para>Applying it: p = acc * m + offset (exact; 64-bit when it provably fits, else 128-bit), then
/// q = (p + 2^(s-1) - [p &lt; 0]) >> s with an arithmetic shift, which is round(p / 2^s) with ties away from
/// zero (the rounding every MixQ quantizer uses), then clamp to [min, max]. For s = 0, q = p.
/// In hardware this is one multiplier, one adder and wiring.</para>
/// </summary>
public static class Requantizer
{
    /// <summary>|acc| &lt; 2^63 and m &lt; 2^31 give |p| &lt; 2^94: a larger shift could only give 0.</summary>
    public const int MaxShift = 94;

    public const int MultiplierBits = 31;

    /// <summary>(m, s) with m / 2^s nearest to <paramref name="factor"/>; (0, 0) when the factor is below 2^-63 (every output would round to 0).</summary>
    public static (int Multiplier, int Shift) FromReal(double factor)
    {
        if (!(factor > 0) || !double.IsFinite(factor)) throw new MixQException($"requantization factor {factor} must be positive and finite");
        int exponent = Math.ILogB(factor); // factor in [2^e, 2^(e+1))
        int shift = MultiplierBits - 1 - exponent;
        if (shift < 0) throw new MixQException($"requantization factor {factor} is too large (at most 2^31)");
        if (shift > MaxShift) return (0, 0);
        double scaled = Math.Round(Math.ScaleB(factor, shift), MidpointRounding.AwayFromZero);
        if (scaled >= 1L << MultiplierBits)
        {
            scaled /= 2;
            shift--;
            if (shift < 0) throw new MixQException($"requantization factor {factor} is too large (at most 2^31)");
        }
        return ((int)scaled, shift);
    }

    /// <summary>clamp(round_half_away((acc * m + offset) / 2^s), min, max), exactly.</summary>
    public static long Apply(long acc, int multiplier, int shift, long offset, long min, long max)
    {
        long q;
        if (acc is > -(1L << 31) and < 1L << 31 && offset is > -(1L << 61) and < 1L << 61 && shift <= 62)
        {
            // |acc * m| < 2^62 and |offset| < 2^61: the sum and the rounding constant fit 64 bits.
            long p = acc * multiplier + offset;
            q = shift == 0 ? p : (p + (1L << (shift - 1)) - (p < 0 ? 1 : 0)) >> shift;
        }
        else
        {
            Int128 p = (Int128)acc * multiplier + offset;
            Int128 r = shift == 0 ? p : (p + (Int128.One << (shift - 1)) - (p < 0 ? 1 : 0)) >> shift;
            q = r > max ? max : r < min ? min : (long)r;
        }
        return q < min ? min : q > max ? max : q;
    }
}
