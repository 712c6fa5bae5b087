using System.Numerics;
using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Tests.Hgq;

/// <summary>
/// An independent scalar twin of fixed-point quantization in exact big-integer arithmetic: a value is the rational
/// numerator / 2^shift, rounding is integer division, overflow is integer modulo/clamping — no floating point.
/// </summary>
internal static class FixedPointReference
{
    /// <summary>The exact rational of a finite float: (numerator, shift) with value numerator / 2^shift.</summary>
    public static (BigInteger Numerator, int Shift) Exact(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        bool negative = bits < 0;
        int exponent = (bits >> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0) exponent = 1; else mantissa |= 1 << 23;
        // value = mantissa * 2^(exponent - 127 - 23)
        BigInteger n = negative ? -mantissa : mantissa;
        return (n, 150 - exponent);
    }

    /// <summary>Code of numerator / 2^shift in the format: round(value 2^f), then overflow.</summary>
    public static long Code(BigInteger numerator, int shift, FixedPointFormat format, RoundingMode rounding, OverflowMode overflow)
    {
        // value 2^f = numerator / 2^(shift - f)
        int s = shift - format.FractionalBits;
        BigInteger rounded;
        if (s <= 0) rounded = numerator << -s;
        else
        {
            BigInteger denominator = BigInteger.One << s;
            BigInteger floor = FloorDiv(numerator, denominator);
            BigInteger twiceRemainder = 2 * (numerator - floor * denominator);
            rounded = rounding switch
            {
                RoundingMode.Truncate => floor,
                RoundingMode.RoundHalfUp => twiceRemainder >= denominator ? floor + 1 : floor,
                RoundingMode.RoundHalfEven => twiceRemainder > denominator || (twiceRemainder == denominator && !floor.IsEven) ? floor + 1 : floor,
                _ => throw new ArgumentOutOfRangeException(nameof(rounding)),
            };
        }
        return Overflow(rounded, format, overflow);
    }

    public static long Code(float x, FixedPointFormat format, RoundingMode rounding, OverflowMode overflow)
    {
        var (n, s) = Exact(x);
        return Code(n, s, format, rounding, overflow);
    }

    public static long Overflow(BigInteger code, FixedPointFormat format, OverflowMode overflow)
    {
        // Bounds straight from the definition: n = i + f magnitude bits, plus a sign bit when signed.
        int n = format.IntegerBits + format.FractionalBits;
        bool empty = n < 0 || (!format.Signed && n == 0);
        if (empty) return 0;
        BigInteger max = (BigInteger.One << n) - 1;
        BigInteger min = format.Signed ? -(BigInteger.One << n) : BigInteger.Zero;
        switch (overflow)
        {
            case OverflowMode.Saturate:
                return (long)BigInteger.Min(max, BigInteger.Max(min, code));
            case OverflowMode.SymmetricSaturate:
                BigInteger low = format.Signed ? -max : BigInteger.Zero;
                return (long)BigInteger.Min(max, BigInteger.Max(low, code));
            default:
                int width = n + (format.Signed ? 1 : 0);
                BigInteger modulus = BigInteger.One << width;
                BigInteger m = ((code % modulus) + modulus) % modulus; // 0 .. 2^W - 1
                if (m > max) m -= modulus;
                return (long)m;
        }
    }

    private static BigInteger FloorDiv(BigInteger a, BigInteger b)
    {
        var q = BigInteger.DivRem(a, b, out var r);
        return r.Sign < 0 ? q - 1 : q;
    }
}
