using System.Globalization;
using System.Numerics;

namespace MixQ.Codegen.Hls;

/// <summary>
/// A fixed-point type fixed&lt;W, I, S, Q, O&gt; and the exact C# reference of its conversions: the twin of
/// mixq_fixed.h that the tests compile against, and the arithmetic the HLS writer relies on. Values are raw codes
/// (integers) with W - I fraction bits. Written with BigInteger division (not shifts) so that it is an
/// independent check of the header.
/// </summary>
public sealed record FixedType
{
    public FixedType(int width, int integerBits, bool signed, QuantMode quant = QuantMode.Trn, OverflowMode overflow = OverflowMode.Wrap)
    {
        if (width is < 1 or > 64) throw new MixQException($"fixed-point width must be 1..64, got {width}");
        Width = width;
        IntegerBits = integerBits;
        Signed = signed;
        Quant = quant;
        Overflow = overflow;
    }

    public int Width { get; }
    public int IntegerBits { get; }
    public bool Signed { get; }
    public QuantMode Quant { get; }
    public OverflowMode Overflow { get; }
    public int FractionBits => Width - IntegerBits;

    public BigInteger MaxCode => Signed ? BigInteger.Pow(2, Width - 1) - 1 : BigInteger.Pow(2, Width) - 1;
    public BigInteger MinCode => Signed ? -BigInteger.Pow(2, Width - 1) : BigInteger.Zero;

    /// <summary>An integer type of <paramref name="bits"/> bits (no fraction).</summary>
    public static FixedType Integer(int bits, bool signed, QuantMode quant = QuantMode.Trn, OverflowMode overflow = OverflowMode.Wrap) =>
        new(bits, bits, signed, quant, overflow);

    /// <summary>The code of this type for the exact value <paramref name="code"/> / 2^<paramref name="fractionBits"/>.</summary>
    public long Convert(BigInteger code, int fractionBits)
    {
        int shift = fractionBits - FractionBits;
        BigInteger q = shift <= 0 ? code * BigInteger.Pow(2, -shift) : Round(code, BigInteger.Pow(2, shift));
        return Fit(q);
    }

    /// <summary>The code of this type for the real number <paramref name="value"/> (exact: doubles are dyadic).</summary>
    public long Convert(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value));
        // value = mantissa * 2^exponent exactly.
        long bits = BitConverter.DoubleToInt64Bits(value);
        int exp = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exp == 0) exp = 1; else mantissa |= 1L << 52;
        BigInteger m = value < 0 ? -(BigInteger)mantissa : mantissa;
        int e = exp - 1075;
        return e >= 0 ? Convert(m * BigInteger.Pow(2, e), 0) : Convert(m, -e);
    }

    /// <summary>The real value of a code of this type.</summary>
    public double ToDouble(long code) => Math.ScaleB(code, -FractionBits);

    /// <summary>The C++ spelling, e.g. "mixq::fixed&lt;8, 3, true, mixq::RND, mixq::SAT&gt;".</summary>
    public string CppName => string.Create(CultureInfo.InvariantCulture,
        $"mixq::fixed<{Width}, {IntegerBits}, {(Signed ? "true" : "false")}, mixq::{CppQuant(Quant)}, mixq::{CppOverflow(Overflow)}>");

    private BigInteger Round(BigInteger v, BigInteger d)
    {
        BigInteger q = BigInteger.Divide(v, d);
        BigInteger r = v - q * d;
        if (r < 0) { q -= 1; r += d; } // floor division: 0 <= r < d
        bool negative = v < 0;
        int half = (2 * r).CompareTo(d); // r compared with d/2
        bool up = Quant switch
        {
            QuantMode.Trn => false,
            QuantMode.TrnZero => negative && r != 0,
            QuantMode.Rnd => half >= 0,
            QuantMode.RndZero => half > 0 || (half == 0 && negative),
            QuantMode.RndMinInf => half > 0,
            QuantMode.RndInf => half > 0 || (half == 0 && !negative),
            QuantMode.RndConv => half > 0 || (half == 0 && !q.IsEven),
            _ => throw new ArgumentOutOfRangeException(nameof(Quant)),
        };
        return up ? q + 1 : q;
    }

    private long Fit(BigInteger v)
    {
        BigInteger max = MaxCode, min = MinCode;
        switch (Overflow)
        {
            case OverflowMode.Wrap:
                BigInteger modulus = BigInteger.Pow(2, Width);
                BigInteger low = ((v % modulus) + modulus) % modulus;
                if (Signed && low > max) low -= modulus;
                return (long)low;
            case OverflowMode.Sat:
                return (long)BigInteger.Min(max, BigInteger.Max(min, v));
            case OverflowMode.SatZero:
                return v > max || v < min ? 0 : (long)v;
            case OverflowMode.SatSym:
                return (long)BigInteger.Min(max, BigInteger.Max(Signed ? -max : min, v));
            default:
                throw new ArgumentOutOfRangeException(nameof(Overflow));
        }
    }

    private static string CppQuant(QuantMode q) => q switch
    {
        QuantMode.Trn => "TRN", QuantMode.TrnZero => "TRN_ZERO", QuantMode.Rnd => "RND", QuantMode.RndZero => "RND_ZERO",
        QuantMode.RndMinInf => "RND_MIN_INF", QuantMode.RndInf => "RND_INF", QuantMode.RndConv => "RND_CONV",
        _ => throw new ArgumentOutOfRangeException(nameof(q)),
    };

    private static string CppOverflow(OverflowMode o) => o switch
    {
        OverflowMode.Wrap => "WRAP", OverflowMode.Sat => "SAT", OverflowMode.SatZero => "SAT_ZERO", OverflowMode.SatSym => "SAT_SYM",
        _ => throw new ArgumentOutOfRangeException(nameof(o)),
    };
}
