using System.Numerics;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// Fixed-point quantization with hardware semantics (methods.md §5), on float inputs (the fake-quantized forward)
/// and on integer inputs (the integer evaluator's requantization). Both are exact: a float times a power of two,
/// floor and the fraction y - floor(y) are exact in IEEE arithmetic, so no rounding error can move a value across
/// a rounding boundary; the integer path uses shifts only. Property tests check both against a big-integer twin.
/// </summary>
public static class FixedPoint
{
    /// <summary>The code m of <paramref name="x"/> in <paramref name="format"/>: round(x 2^f), then overflow handling.</summary>
    public static long Code(float x, FixedPointFormat format, RoundingMode rounding, OverflowMode overflow)
    {
        if (!float.IsFinite(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "fixed-point quantization needs a finite value");
        double y = Math.ScaleB((double)x, format.FractionalBits); // exact: |f| <= 64 keeps a float far from double's limits
        double r = Round(y, rounding);
        return Overflow(r, format, overflow);
    }

    /// <summary>The quantized value m 2^-f of <paramref name="x"/> (exact in float32 since widths are at most 24 bits).</summary>
    public static float Quantize(float x, FixedPointFormat format, RoundingMode rounding, OverflowMode overflow) =>
        (float)Math.ScaleB((double)Code(x, format, rounding, overflow), -format.FractionalBits);

    /// <summary>Rounds a scaled value to an integer (returned as an exactly integral double).</summary>
    public static double Round(double y, RoundingMode rounding)
    {
        double floor = Math.Floor(y);
        return rounding switch
        {
            RoundingMode.Truncate => floor,
            // y - floor(y) is exact, so the tie test is exact too (floor(y + 0.5) is not: y + 0.5 may round).
            RoundingMode.RoundHalfUp => y - floor >= 0.5 ? floor + 1 : floor,
            RoundingMode.RoundHalfEven => Math.Round(y, MidpointRounding.ToEven),
            _ => throw new ArgumentOutOfRangeException(nameof(rounding), rounding, null),
        };
    }

    /// <summary>Applies overflow handling to an integral double code (exact: every step stays an integer below 2^53).</summary>
    public static long Overflow(double code, FixedPointFormat format, OverflowMode overflow)
    {
        int width = format.Width;
        if (width == 0) return 0;
        long max = format.MaxCode, min = format.MinCode;
        switch (overflow)
        {
            case OverflowMode.Saturate:
                return code > max ? max : code < min ? min : (long)code;
            case OverflowMode.SymmetricSaturate:
                long low = format.LowestCode(overflow);
                return code > max ? max : code < low ? low : (long)code;
            case OverflowMode.Wrap:
                if (code >= min && code <= max) return (long)code;
                // fmod is exact; the result lies in (-2^W, 2^W) and is then moved into [min, max].
                double modulus = Math.ScaleB(1.0, width);
                double m = code % modulus;
                if (m < 0) m += modulus;
                if (m > max) m -= modulus;
                return (long)m;
            default:
                throw new ArgumentOutOfRangeException(nameof(overflow), overflow, null);
        }
    }

    /// <summary>
    /// Requantizes the exact value <paramref name="value"/> 2^-<paramref name="fromFractionalBits"/> (an integer
    /// accumulator) into <paramref name="format"/> with shifts only: the integer evaluator's activation quantizer.
    /// Bit-identical to <see cref="Code"/> on the same real value.
    /// </summary>
    public static long Requantize(long value, int fromFractionalBits, FixedPointFormat format, RoundingMode rounding, OverflowMode overflow)
    {
        int shift = fromFractionalBits - format.FractionalBits;
        Int128 v = value;
        Int128 r;
        if (shift <= 0)
        {
            if (-shift > 62) throw new ArgumentOutOfRangeException(nameof(format), "requantization shifts left by more than 62 bits");
            r = v << -shift;
        }
        else if (shift > 120)
        {
            // Everything is below one code step: floor is -1 or 0; nearest rounding gives 0 (|value| < 2^63 << half a step).
            r = rounding == RoundingMode.Truncate && value < 0 ? -1 : 0;
        }
        else
        {
            Int128 floor = v >> shift; // arithmetic shift: floor division by 2^shift
            Int128 remainder = v - (floor << shift);
            Int128 half = Int128.One << (shift - 1);
            r = rounding switch
            {
                RoundingMode.Truncate => floor,
                RoundingMode.RoundHalfUp => remainder >= half ? floor + 1 : floor,
                RoundingMode.RoundHalfEven => remainder > half || (remainder == half && !Int128.IsEvenInteger(floor)) ? floor + 1 : floor,
                _ => throw new ArgumentOutOfRangeException(nameof(rounding), rounding, null),
            };
        }
        return Overflow(r, format, overflow);
    }

    /// <summary>Overflow handling on an exact integer code.</summary>
    public static long Overflow(Int128 code, FixedPointFormat format, OverflowMode overflow)
    {
        int width = format.Width;
        if (width == 0) return 0;
        long max = format.MaxCode, min = format.MinCode;
        switch (overflow)
        {
            case OverflowMode.Saturate:
                return code > max ? max : code < min ? min : (long)code;
            case OverflowMode.SymmetricSaturate:
                long lowest = format.LowestCode(overflow);
                return code > max ? max : code < lowest ? lowest : (long)code;
            case OverflowMode.Wrap:
                // Keep the low W bits, then read them as two's complement (signed) or as they are (unsigned).
                Int128 mask = (Int128.One << width) - 1;
                Int128 low = code & mask;
                if (format.Signed && low > max) low -= Int128.One << width;
                return (long)low;
            default:
                throw new ArgumentOutOfRangeException(nameof(overflow), overflow, null);
        }
    }

    /// <summary>
    /// Bits a weight code really occupies: the span from its highest to its lowest non-zero bit of |m|
    /// (0 for m = 0: the weight is pruned). 0.5 = 0.1b costs 1 bit whatever f is; 5 = 101b costs 3. The sign is not
    /// counted (it turns an add into a subtract). This is the weight side of EBOPs (methods.md §4).
    /// </summary>
    public static int NonZeroSpan(long code)
    {
        if (code == 0) return 0;
        ulong magnitude = code < 0 ? (ulong)(-code) : (ulong)code;
        return 64 - BitOperations.LeadingZeroCount(magnitude) - BitOperations.TrailingZeroCount(magnitude);
    }
}
