using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Tests.Hgq;

/// <summary>Fixed-point rounding and overflow against the big-integer reference, plus the worked examples of methods.md §5.</summary>
public sealed class FixedPointTests
{
    private static readonly RoundingMode[] Roundings = Enum.GetValues<RoundingMode>();
    private static readonly OverflowMode[] Overflows = Enum.GetValues<OverflowMode>();

    private static Gen<FixedPointFormat> Formats { get; } =
        from signed in Gen.Elements(true, false)
        from i in Gen.Choose(-6, 8)
        from f in Gen.Choose(-6, 12)
        where (signed ? 1 : 0) + i + f <= FixedPointFormat.MaxWidth
        select new FixedPointFormat(signed, i, f);

    /// <summary>Values on and off the grid: uniform, exact ties of the format's grid and their float neighbours, large and tiny.</summary>
    private static Gen<float> ValuesFor(FixedPointFormat format)
    {
        var uniform = Gen.Choose(-4_000_000, 4_000_000).Select(i => i / 10_000f);
        var ties = Gen.Choose(-3000, 3000).Select(k => (float)Math.ScaleB(k + 0.5, -format.FractionalBits));
        var tieNeighbours = ties.SelectMany(t => Gen.Elements(MathF.BitIncrement(t), MathF.BitDecrement(t), t));
        var onGrid = Gen.Choose(-3000, 3000).Select(k => (float)Math.ScaleB(k, -format.FractionalBits));
        var large = Gen.Choose(-1000, 1000).Select(k => k * 12345.678f);
        var tiny = Gen.Choose(-1000, 1000).Select(k => k * 1e-9f);
        return Gen.Frequency((3, uniform), (3, tieNeighbours), (2, onGrid), (1, large), (1, tiny));
    }

    private static Gen<(FixedPointFormat Format, float X, RoundingMode R, OverflowMode O)> Cases { get; } =
        from format in Formats
        from x in ValuesFor(format)
        from r in Gen.Elements(Roundings)
        from o in Gen.Elements(Overflows)
        select (format, x, r, o);

    [Fact]
    public void FloatCodeEqualsTheBigIntegerReferenceForEveryRoundingAndOverflowMode() =>
        PropertyCheck.Run(Cases, c => FixedPoint.Code(c.X, c.Format, c.R, c.O) == FixedPointReference.Code(c.X, c.Format, c.R, c.O), 3000);

    [Fact]
    public void IntegerRequantizationEqualsTheReferenceOnAccumulatorValues()
    {
        var gen =
            from format in Formats
            from value in Gen.Choose(-5_000_000, 5_000_000)
            from scale in Gen.Choose(-2, 60)
            from from_ in Gen.Choose(-4, 30)
            from r in Gen.Elements(Roundings)
            from o in Gen.Elements(Overflows)
            select (format, value: (long)value * scale, from_, r, o);
        PropertyCheck.Run(gen, c =>
            FixedPoint.Requantize(c.value, c.from_, c.format, c.r, c.o) == FixedPointReference.Code(new BigInteger(c.value), c.from_, c.format, c.r, c.o), 3000);
    }

    [Fact]
    public void QuantizeReturnsTheCodeTimesTheStepExactly() =>
        PropertyCheck.Run(Cases, c =>
            (double)FixedPoint.Quantize(c.X, c.Format, c.R, c.O) == Math.ScaleB((double)FixedPointReference.Code(c.X, c.Format, c.R, c.O), -c.Format.FractionalBits), 1000);

    [Fact]
    public void QuantizingTwiceEqualsQuantizingOnceAndCodesStayInRange() =>
        PropertyCheck.Run(Cases, c =>
        {
            float once = FixedPoint.Quantize(c.X, c.Format, c.R, c.O);
            long code = FixedPoint.Code(c.X, c.Format, c.R, c.O);
            return FixedPoint.Quantize(once, c.Format, c.R, c.O) == once
                   && code <= c.Format.MaxCode && code >= c.Format.LowestCode(c.O);
        }, 1000);

    [Theory]
    // methods.md §5: fixed<3,2> with round + saturate maps 1.25 to 1.5; fixed<4,4> saturating maps 19 to 7 and -19 to -8.
    [InlineData(1.25f, true, 1, 1, RoundingMode.RoundHalfUp, OverflowMode.Saturate, 1.5f)]
    [InlineData(19f, true, 3, 0, RoundingMode.RoundHalfUp, OverflowMode.Saturate, 7f)]
    [InlineData(-19f, true, 3, 0, RoundingMode.RoundHalfUp, OverflowMode.Saturate, -8f)]
    [InlineData(-19f, true, 3, 0, RoundingMode.RoundHalfUp, OverflowMode.SymmetricSaturate, -7f)]
    [InlineData(19f, true, 3, 0, RoundingMode.Truncate, OverflowMode.Wrap, 3f)]      // 10011b keeps 0011b
    [InlineData(-19f, true, 3, 0, RoundingMode.Truncate, OverflowMode.Wrap, -3f)]    // ...101101b keeps 1101b = -3
    [InlineData(-0.3f, true, 2, 2, RoundingMode.Truncate, OverflowMode.Wrap, -0.5f)]  // floor toward minus infinity
    [InlineData(0.625f, false, 1, 2, RoundingMode.RoundHalfEven, OverflowMode.Wrap, 0.5f)] // 2.5 -> 2
    [InlineData(0.875f, false, 1, 2, RoundingMode.RoundHalfEven, OverflowMode.Wrap, 1f)]   // 3.5 -> 4
    [InlineData(0.625f, false, 1, 2, RoundingMode.RoundHalfUp, OverflowMode.Wrap, 0.75f)]  // 2.5 -> 3
    [InlineData(1.9f, false, 0, 3, RoundingMode.RoundHalfUp, OverflowMode.Wrap, 0.875f)]   // round(15.2) = 1111b; 3 bits keep 111b
    public void WorkedExamples(float x, bool signed, int i, int f, RoundingMode r, OverflowMode o, float expected)
    {
        var format = new FixedPointFormat(signed, i, f);
        Assert.Equal(expected, FixedPoint.Quantize(x, format, r, o));
    }

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(1L, 1)]
    [InlineData(4L, 1)]   // 100b: one significant bit
    [InlineData(5L, 3)]   // 101b
    [InlineData(-6L, 2)]  // |110b| -> 11
    [InlineData(0b1011000L, 4)]
    public void NonZeroSpanCountsFromTheHighestToTheLowestSetBit(long code, int span) => Assert.Equal(span, FixedPoint.NonZeroSpan(code));

    [Fact]
    public void FormatFromRangeFollowsTheHgqIntegerBitRule()
    {
        // [-0.75, 0.3] with f = 2: i = max(ceil(log2 0.75), ceil(log2(0.3 + 0.25))) = max(0, 0) = 0, signed.
        Assert.Equal(new FixedPointFormat(true, 0, 2), FixedPointFormat.FromRange(-0.75, 0.3, 2));
        // [0, 3.9] with f = 1: 3.9 + 0.5 = 4.4 -> i = 3 (3.9 rounds to 4.0, which needs the third bit).
        Assert.Equal(new FixedPointFormat(false, 3, 1), FixedPointFormat.FromRange(0, 3.9, 1));
        // [0, 0]: nothing to represent, width 0.
        Assert.Equal(0, FixedPointFormat.FromRange(0, 0, 5).Width);
        // min = -4 exactly: ceil(log2 4) = 2 integer bits plus the sign: -4 is the most negative code.
        var f = FixedPointFormat.FromRange(-4, -4, 0);
        Assert.Equal(-4, FixedPoint.Quantize(-4f, f, RoundingMode.RoundHalfUp, OverflowMode.Saturate));
        // Wide ranges give way in f so the width stays within 24 bits.
        Assert.Equal(FixedPointFormat.MaxWidth, FixedPointFormat.FromRange(-1000, 1000, 16).Width);
    }

    [Fact]
    public void NoValueInItsRecordedRangeOverflows()
    {
        var gen =
            from lo in Gen.Choose(-100000, 100000)
            from hi in Gen.Choose(-100000, 100000)
            from f in Gen.Choose(-4, 10)
            from t in Gen.Choose(0, 1000)
            select (min: Math.Min(lo, hi) / 1000f, max: Math.Max(lo, hi) / 1000f, f, t);
        PropertyCheck.Run(gen, c =>
        {
            var format = FixedPointFormat.FromRange(c.min, c.max, c.f);
            float x = c.min + (c.max - c.min) * c.t / 1000f;
            x = Math.Clamp(x, c.min, c.max);
            var (n, s) = FixedPointReference.Exact(x);
            // Unbounded rounding (a format with ample integer bits) must equal the bounded one: no overflow happened.
            var wide = new FixedPointFormat(format.Signed || x < 0, 40, format.FractionalBits);
            return format.Signed == (c.min < 0)
                   && FixedPointReference.Code(n, s, format, RoundingMode.RoundHalfUp, OverflowMode.Wrap) == FixedPointReference.Code(n, s, wide, RoundingMode.RoundHalfUp, OverflowMode.Wrap);
        }, 2000);
    }
}
