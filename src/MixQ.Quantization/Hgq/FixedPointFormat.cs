namespace MixQ.Quantization.Hgq;

/// <summary>
/// A fixed-point format with <see cref="Signed"/> sign bit k, <see cref="IntegerBits"/> i (excluding the sign) and
/// <see cref="FractionalBits"/> f: codes are integers m, values m 2^-f. With n = i + f magnitude bits the codes are
/// [-2^n, 2^n - 1] when signed and [0, 2^n - 1] when unsigned; the width is k + n. i and f may be negative (a small
/// range needs fewer integer bits than none); when n &lt; 0 (or n = 0 unsigned) the only code is 0 and the width is 0:
/// the entry is pruned. In the notation fixed&lt;W, I&gt; of methods.md §5, W = k + i + f and I = k + i.
/// </summary>
public readonly record struct FixedPointFormat(bool Signed, int IntegerBits, int FractionalBits)
{
    /// <summary>Formats wider than this are refused: codes must stay exact in float32 (24-bit significand).</summary>
    public const int MaxWidth = 24;

    /// <summary>Magnitude bits n = i + f.</summary>
    public int MagnitudeBits => IntegerBits + FractionalBits;

    /// <summary>Total bits k + i + f, 0 for a format that can only hold 0.</summary>
    public int Width => MagnitudeBits < 0 || (!Signed && MagnitudeBits == 0) ? 0 : MagnitudeBits + (Signed ? 1 : 0);

    public long MaxCode => Width == 0 ? 0 : (1L << MagnitudeBits) - 1;

    public long MinCode => Width == 0 || !Signed ? 0 : -(1L << MagnitudeBits);

    /// <summary>The lowest code overflow handling lets through (symmetric saturation drops -2^n).</summary>
    public long LowestCode(OverflowMode overflow) => overflow == OverflowMode.SymmetricSaturate && Signed ? -MaxCode : MinCode;

    /// <summary>
    /// The format HGQ derives from an observed range [min, max] and f (methods.md §4):
    /// i = max(ceil(log2 |min|), ceil(log2(max + 2^-f))), k = (min &lt; 0). A term whose argument is not positive
    /// (no negative values, or max + 2^-f &lt;= 0) does not count; with neither, i = -f and the width is 0.
    /// The + 2^-f keeps max representable after rounding up. When k + i + f would exceed <see cref="MaxWidth"/>,
    /// f is lowered (precision gives way before range).
    /// </summary>
    public static FixedPointFormat FromRange(double min, double max, int fractionalBits)
    {
        if (double.IsNaN(min) || double.IsNaN(max)) throw new ArgumentException("a range bound is NaN");
        if (min > max) throw new ArgumentException($"range [{min}, {max}] is empty");
        bool signed = min < 0;
        int k = signed ? 1 : 0;
        int f = fractionalBits;
        int integerBits = IntegerBitsFor(min, max, f);
        while (k + integerBits + f > MaxWidth)
        {
            f--;
            integerBits = IntegerBitsFor(min, max, f);
        }
        return new FixedPointFormat(signed, integerBits, f);
    }

    private static int IntegerBitsFor(double min, double max, int f)
    {
        int i = int.MinValue;
        if (min < 0) i = CeilLog2(-min);
        double top = max + Math.ScaleB(1.0, -f);
        if (top > 0) i = Math.Max(i, CeilLog2(top));
        return i == int.MinValue ? -f : i;
    }

    /// <summary>ceil(log2 v) for v &gt; 0, exact (no floating-point logarithm).</summary>
    public static int CeilLog2(double v)
    {
        if (!(v > 0) || double.IsInfinity(v)) throw new ArgumentOutOfRangeException(nameof(v), v, "needs a positive finite value");
        int e = Math.ILogB(v);
        return Math.ScaleB(1.0, e) == v ? e : e + 1;
    }

    public override string ToString() => $"fixed<{Width},{(Width == 0 ? 0 : IntegerBits + (Signed ? 1 : 0))}>{(Signed ? "" : "u")} f={FractionalBits}";
}
