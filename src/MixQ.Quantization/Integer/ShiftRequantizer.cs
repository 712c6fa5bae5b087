using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Fixed-point requantization with shifts only, as hardware does it: from an integer x to the code
/// q = overflow(round(x / 2^s)) of a <c>width</c>-bit (signed or unsigned) format. A right shift s &gt; 0 rounds with
/// one added constant and an arithmetic shift — truncate: x &gt;&gt; s; half-up: (x + 2^(s-1)) &gt;&gt; s; half-even:
/// (x + 2^(s-1) - 1 + bit_s(x)) &gt;&gt; s, bit_s(x) being the lowest kept bit — and a left shift (s &lt; 0) is exact.
/// Overflow keeps the low <c>width</c> bits (wrap) or clamps to the format's range (saturate; symmetric saturation
/// also drops the most negative code). Width 0 means the constant 0 (a pruned element).
/// <para>This is the arithmetic of HGQ's quantizers (docs/hgq.md), written independently of
/// <see cref="FixedPoint.Requantize"/> (which decides rounding from the remainder) and tested against it.</para>
/// </summary>
public static class ShiftRequantizer
{
    /// <summary>Widest code: codes, once aligned, must stay inside a 64-bit integer.</summary>
    public const int MaxWidth = 62;

    /// <summary>The code of x / 2^shift (any shift: beyond 63 bits the result follows from the sign of x alone).</summary>
    public static long Apply(long x, int shift, int width, bool signed, RoundingMode rounding, OverflowMode overflow)
    {
        if (width == 0) return 0;
        // The common case in 64 bits: |x| < 2^61 leaves room for the rounding constant, or for a small left shift.
        const long Limit = 1L << 61;
        if (shift >= 0 && shift < 62 && x > -Limit && x < Limit)
        {
            long q = shift == 0 ? x : rounding switch
            {
                RoundingMode.Truncate => x >> shift,
                RoundingMode.RoundHalfUp => (x + (1L << (shift - 1))) >> shift,
                RoundingMode.RoundHalfEven => (x + (1L << (shift - 1)) - 1 + ((x >> shift) & 1)) >> shift,
                _ => throw new ArgumentOutOfRangeException(nameof(rounding), rounding, null),
            };
            return Overflow(q, width, signed, overflow);
        }
        if (shift < 0 && shift > -61 && x > -(Limit >> -shift) && x < Limit >> -shift)
            return Overflow(x << -shift, width, signed, overflow);
        Int128 r;
        if (shift <= 0)
        {
            int left = -shift;
            if (x == 0) return 0;
            // Beyond 62 bits the low `width` bits are all zero, and any saturation is decided by the sign.
            if (left > 62) r = overflow == OverflowMode.Wrap ? 0 : x > 0 ? Int128.One << 100 : -(Int128.One << 100);
            else r = (Int128)x << left;
        }
        else if (shift >= 64)
        {
            // |x| <= 2^63 <= 2^(shift - 1): x / 2^shift lies in [-1/2, 1/2), so nearest rounding gives 0 (a tie at
            // -1/2 goes up to 0 in both nearest modes) and truncation gives -1 for negative x.
            r = rounding == RoundingMode.Truncate && x < 0 ? -1 : 0;
        }
        else
        {
            Int128 v = x;
            Int128 half = Int128.One << (shift - 1);
            r = rounding switch
            {
                RoundingMode.Truncate => v >> shift,
                RoundingMode.RoundHalfUp => (v + half) >> shift,
                RoundingMode.RoundHalfEven => (v + half - 1 + ((v >> shift) & 1)) >> shift,
                _ => throw new ArgumentOutOfRangeException(nameof(rounding), rounding, null),
            };
        }
        return Overflow(r, width, signed, overflow);
    }

    /// <summary>
    /// The code of the float <paramref name="x"/> times 2^-shift: x is written exactly as m 2^e (|m| &lt; 2^24), so
    /// this is <see cref="Apply"/> on m with the shift shift - e — no floating-point rounding anywhere.
    /// </summary>
    public static long ApplyToFloat(float x, int shift, int width, bool signed, RoundingMode rounding, OverflowMode overflow)
    {
        // IEEE single: value = ±significand 2^(exponent - 150), the significand with its hidden bit (subnormals: 2^-149 units).
        int bits = BitConverter.SingleToInt32Bits(x);
        int exponent = (bits >> 23) & 0xFF;
        if (exponent == 0xFF) throw new MixQException($"integer inference needs finite inputs, got {x}");
        long m = bits & 0x7FFFFF;
        int e;
        if (exponent == 0) e = -149;
        else
        {
            m |= 1L << 23;
            e = exponent - 150;
        }
        if (bits < 0) m = -m;
        return Apply(m, shift - e, width, signed, rounding, overflow);
    }

    /// <summary>The largest code of a format.</summary>
    public static long MaxCode(int width, bool signed) => width == 0 ? 0 : signed ? (1L << (width - 1)) - 1 : (1L << width) - 1;

    /// <summary>The lowest code overflow handling lets through.</summary>
    public static long LowestCode(int width, bool signed, OverflowMode overflow) =>
        width == 0 || !signed ? 0 : overflow == OverflowMode.SymmetricSaturate ? -MaxCode(width, signed) : -(1L << (width - 1));

    private static long Overflow(long r, int width, bool signed, OverflowMode overflow)
    {
        long max = MaxCode(width, signed);
        if (overflow == OverflowMode.Wrap)
        {
            long low = r & ((1L << width) - 1);
            return signed && low > max ? low - (1L << width) : low;
        }
        long lowest = LowestCode(width, signed, overflow);
        return r > max ? max : r < lowest ? lowest : r;
    }

    private static long Overflow(Int128 r, int width, bool signed, OverflowMode overflow)
    {
        long max = MaxCode(width, signed);
        switch (overflow)
        {
            case OverflowMode.Wrap:
            {
                Int128 low = r & ((Int128.One << width) - 1);
                if (signed && low > max) low -= Int128.One << width;
                return (long)low;
            }
            case OverflowMode.Saturate:
            case OverflowMode.SymmetricSaturate:
            {
                long lowest = LowestCode(width, signed, overflow);
                return r > max ? max : r < lowest ? lowest : (long)r;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(overflow), overflow, null);
        }
    }
}
