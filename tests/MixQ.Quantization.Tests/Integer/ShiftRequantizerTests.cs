using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;
using MixQ.Quantization.Tests.Hgq;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>
/// The integer engine's shift-only requantization (hardware formulas: rounding constant plus arithmetic shift) against
/// the big-integer reference of HGQ's fixed-point semantics, and against HGQ's own <see cref="FixedPoint.Requantize"/>.
/// </summary>
public sealed class ShiftRequantizerTests
{
    private static readonly RoundingMode[] Roundings = Enum.GetValues<RoundingMode>();
    private static readonly OverflowMode[] Overflows = Enum.GetValues<OverflowMode>();

    private static FixedPointFormat Format(int width, bool signed, int fractionalBits) =>
        new(signed, width - (signed ? 1 : 0) - fractionalBits, fractionalBits);

    private static long RandomValue(Random rng, int shift) => rng.Next(8) switch
    {
        0 => 0,
        1 => rng.Next(2) == 0 ? long.MaxValue : long.MinValue,
        // Exact ties (k + 1/2) * 2^shift and their neighbours.
        2 when shift is > 0 and < 62 => ((long)rng.Next(-1000, 1000) * 2 + 1 << (shift - 1)) + rng.Next(-1, 2),
        3 => rng.NextInt64(-1000, 1000),
        _ => rng.NextInt64(long.MinValue, long.MaxValue) >> rng.Next(0, 63),
    };

    [Fact]
    public void IntegerRequantizationMatchesTheBigIntegerReference()
    {
        var rng = new Random(1);
        for (int i = 0; i < 200_000; i++)
        {
            int shift = rng.Next(-80, 140), width = rng.Next(0, 25);
            bool signed = rng.Next(2) == 0;
            long x = RandomValue(rng, shift);
            var rounding = Roundings[rng.Next(3)];
            var overflow = Overflows[rng.Next(3)];
            long expected = FixedPointReference.Code(x, shift, Format(width, signed, 0), rounding, overflow);
            long actual = ShiftRequantizer.Apply(x, shift, width, signed, rounding, overflow);
            if (expected != actual)
                Assert.Fail($"x={x} shift={shift} width={width} signed={signed} {rounding} {overflow}: {actual}, expected {expected}");
        }
    }

    [Fact]
    public void ItAgreesWithHgqsOwnRequantizationWhereThatIsDefined()
    {
        var rng = new Random(2);
        for (int i = 0; i < 100_000; i++)
        {
            int from = rng.Next(-20, 40), f = rng.Next(-8, 11), width = rng.Next(0, 25);
            bool signed = rng.Next(2) == 0;
            long x = RandomValue(rng, from - f);
            var rounding = Roundings[rng.Next(3)];
            var overflow = Overflows[rng.Next(3)];
            Assert.Equal(FixedPoint.Requantize(x, from, Format(width, signed, f), rounding, overflow),
                ShiftRequantizer.Apply(x, from - f, width, signed, rounding, overflow));
        }
    }

    [Fact]
    public void FloatInputsAreQuantizedExactly()
    {
        var rng = new Random(3);
        for (int i = 0; i < 200_000; i++)
        {
            int f = rng.Next(-32, 17), width = rng.Next(0, 25);
            bool signed = rng.Next(2) == 0;
            float x = rng.Next(6) switch
            {
                0 => BitConverter.Int32BitsToSingle(rng.Next()) * (rng.Next(2) == 0 ? 1 : -1), // any finite float, subnormals too
                1 => (float)(Math.ScaleB(rng.Next(-5000, 5000) + 0.5, -f)), // an exact tie on the grid 2^-f
                2 => MathF.BitIncrement((float)Math.ScaleB(rng.Next(-5000, 5000) + 0.5, -f)),
                3 => 0f,
                _ => (float)(rng.NextDouble() * 8 - 4),
            };
            if (!float.IsFinite(x)) continue;
            var rounding = Roundings[rng.Next(3)];
            var overflow = Overflows[rng.Next(3)];
            var format = Format(width, signed, f);
            long expected = FixedPointReference.Code(x, format, rounding, overflow);
            Assert.Equal(expected, ShiftRequantizer.ApplyToFloat(x, -f, width, signed, rounding, overflow));
            Assert.Equal(expected, FixedPoint.Code(x, format, rounding, overflow)); // what the fake-quantized model computes
        }
    }

    [Fact]
    public void ElementFormatsAlignCodesAndReportTheirRange()
    {
        var formats = new ElementFormats([2, 0, -1, 5], [4, 3, 0, 5], [true, false, true, true], [1, 3, 0, 0], RoundingMode.RoundHalfUp, OverflowMode.Saturate)
            .Validate("test", 4);
        Assert.Equal(3L << 1, formats.Apply(0, 13)); // 13 / 4 = 3.25 -> 3, then << 1
        Assert.Equal(7L << 3, formats.Apply(1, 100)); // saturates at 7 (unsigned 3 bits)
        Assert.Equal(0, formats.Apply(2, 12345)); // width 0: pruned
        Assert.Equal(-16, formats.Apply(3, -10_000)); // signed 5 bits saturate at -16
        Assert.Equal((-16L, 56L), formats.Range);
        Assert.Throws<MixQException>(() => (formats with { Aligns = [1, 3, 0, 60] }).Validate("test", 4));
        Assert.Throws<MixQException>(() => formats.Validate("test", 5));
    }
}
