using System.Numerics;
using MixQ.Quantization.Integer;

namespace MixQ.Quantization.Tests.Integer;

public class RequantizerTests
{
    /// <summary>Exact reference: round((acc m + offset) / 2^s) with ties away from zero, then clamp, in BigInteger.</summary>
    private static long Reference(long acc, int m, int s, long offset, long min, long max)
    {
        var p = (BigInteger)acc * m + offset;
        var den = BigInteger.One << s;
        var q = BigInteger.DivRem(BigInteger.Abs(p), den, out var rem);
        if (rem * 2 >= den) q += 1;
        if (p.Sign < 0) q = -q;
        return q < min ? min : q > max ? max : (long)q;
    }

    [Fact]
    public void ApplyEqualsExactRationalRoundingForRandomMultipliersShiftsAndOffsets()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 200_000; trial++)
        {
            int accBits = rng.Next(1, 64);
            long acc = rng.NextInt64(-(long)Math.Min(long.MaxValue / 2, 1L << Math.Min(62, accBits)), 1L << Math.Min(62, accBits));
            int m = rng.Next(2) == 0 ? rng.Next(1 << 30, int.MaxValue) : rng.Next(0, 1 << 30);
            int s = rng.Next(0, Requantizer.MaxShift + 1);
            long offset = rng.Next(3) switch { 0 => 0, 1 => rng.NextInt64(-(1L << 40), 1L << 40), _ => rng.NextInt64(long.MinValue / 4, long.MaxValue / 4) };
            var (min, max) = rng.Next(2) == 0 ? (long.MinValue, long.MaxValue) : (-127L, 127L);
            Assert.Equal(Reference(acc, m, s, offset, min, max), Requantizer.Apply(acc, m, s, offset, min, max));
        }
    }

    [Theory]
    [InlineData(3, 1, 0, 2)]    // 1.5 -> 2
    [InlineData(-3, 1, 0, -2)]  // -1.5 -> -2 (away from zero)
    [InlineData(-1, 1, 0, -1)]  // -0.5 -> -1
    [InlineData(-5, 2, 0, -1)]  // -1.25 -> -1
    [InlineData(-10, 2, 0, -3)] // -2.5 -> -3
    [InlineData(5, 2, -3, 1)]   // (5 - 3) / 4 = 0.5 -> 1
    [InlineData(7, 0, 1, 8)]    // shift 0: no rounding
    public void TiesGoAwayFromZero(long acc, int shift, long offset, long expected) =>
        Assert.Equal(expected, Requantizer.Apply(acc, 1, shift, offset, long.MinValue, long.MaxValue));

    [Fact]
    public void FromRealKeeps31BitsOfTheFactor()
    {
        var rng = new Random(3);
        for (int i = 0; i < 10_000; i++)
        {
            double factor = Math.Exp(rng.NextDouble() * 55 - 40);
            var (m, s) = Requantizer.FromReal(factor);
            Assert.InRange(m, 1 << 30, int.MaxValue);
            double approx = Math.ScaleB((double)m, -s);
            Assert.True(Math.Abs(approx - factor) <= factor * Math.ScaleB(1.0, -30), $"{factor}: {m} / 2^{s}");
        }
        Assert.Equal((0, 0), Requantizer.FromReal(Math.ScaleB(1.0, -70))); // every output rounds to 0
        Assert.Throws<MixQException>(() => Requantizer.FromReal(0));
        Assert.Throws<MixQException>(() => Requantizer.FromReal(Math.ScaleB(1.0, 31)));
    }
}
