using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Tests.Hgq;

/// <summary>
/// The vector paths of the HGQ quantizer's per-element kernels against their scalar twins, bit for bit, on odd
/// lengths and on the values where the vector test must hand a block to the scalar twin; the weight kernel also
/// against the big-integer reference.
/// </summary>
public sealed class HgqKernelsTests
{
    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();

    public static TheoryData<RoundingMode, OverflowMode> Modes()
    {
        var data = new TheoryData<RoundingMode, OverflowMode>();
        foreach (var r in Enum.GetValues<RoundingMode>())
            foreach (var o in Enum.GetValues<OverflowMode>()) data.Add(r, o);
        return data;
    }

    /// <summary>Weights mixing ordinary values with the edge cases: exact halves at the code grid, -2^(-f-1), zeros, tiny and huge values.</summary>
    private static (float[] W, float[] F) WeightCase(Random rng, int n, int lowF, int highF)
    {
        var w = new float[n];
        var f = new float[n];
        for (int i = 0; i < n; i++)
        {
            f[i] = rng.Next(4) == 0 ? rng.Next(lowF - 2, highF + 3) + 0.5f : (float)(rng.NextDouble() * (highF - lowF + 4) + lowF - 2);
            int fi = (int)Math.Clamp(Math.Floor((double)f[i] + 0.5), lowF, highF);
            float sign = rng.Next(2) == 0 ? -1f : 1f;
            w[i] = rng.Next(10) switch
            {
                0 => sign * MathF.ScaleB(1f, -fi - 1),                             // s = ±1/2: the empty format under truncation
                1 => sign * MathF.ScaleB(rng.Next(1, 64), rng.Next(-4, 3) - fi),   // codes on and between powers of two
                2 => sign * MathF.ScaleB(rng.Next(1, 64) + 0.5f, -fi),            // exact ties
                3 => rng.Next(2) == 0 ? 0f : -0f,
                4 => sign * 1e-30f,                                               // underflows to 0
                5 => sign * MathF.ScaleB(1f, 22 - fi) * (float)(0.9 + 0.2 * rng.NextDouble()), // around the 2^22 limit
                6 => sign * 3e20f,                                                // beyond 24-bit formats
                _ => (float)(rng.NextDouble() * 4 - 2) * MathF.ScaleB(1f, rng.Next(-6, 3)),
            };
        }
        return (w, f);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void WeightElementVectorPathsAreBitIdenticalToTheScalarTwinAndToTheReference(RoundingMode rounding, OverflowMode overflow)
    {
        var rng = new Random((int)rounding * 10 + (int)overflow);
        const int lowF = -8, highF = 10;
        for (int n = 0; n <= 90; n++)
        {
            var (w, f) = WeightCase(rng, n, lowF, highF);
            var y = new float[n];
            var spans = new float[n];
            HgqKernels.WeightElementsScalar(w, f, lowF, highF, rounding, overflow, y, spans);

            foreach (int width in new[] { 512, 256 })
            {
                var yv = new float[n];
                var sv = new float[n];
                int done = width == 512
                    ? HgqKernels.WeightElements512(w, f, lowF, highF, rounding, overflow, yv, sv)
                    : HgqKernels.WeightElements256(w, f, lowF, highF, rounding, overflow, yv, sv);
                HgqKernels.WeightElementsScalar(w.AsSpan(done), f.AsSpan(done), lowF, highF, rounding, overflow, yv.AsSpan(done), sv.AsSpan(done));
                Assert.Equal(Bits(y), Bits(yv));
                Assert.Equal(Bits(spans), Bits(sv));
            }
            var yd = new float[n];
            var sd = new float[n];
            HgqKernels.WeightElements(w, f, lowF, highF, rounding, overflow, yd, sd);
            Assert.Equal(Bits(y), Bits(yd));
            Assert.Equal(Bits(spans), Bits(sd));

            for (int i = 0; i < n; i++)
            {
                int fi = (int)Math.Clamp(Math.Floor((double)f[i] + 0.5), lowF, highF);
                var format = FixedPointFormat.FromRange(w[i], w[i], fi);
                long code = FixedPointReference.Code(w[i], format, rounding, overflow);
                Assert.Equal(Math.ScaleB((double)code, -format.FractionalBits), (double)y[i]);
                Assert.Equal(FixedPoint.NonZeroSpan(code), spans[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void QuantizeVectorPathsAreBitIdenticalToTheScalarTwin(RoundingMode rounding, OverflowMode overflow)
    {
        var rng = new Random(100 + (int)rounding * 10 + (int)overflow);
        for (int n = 0; n <= 90; n++)
        {
            // Per-element formats from random ranges; inputs partly beyond them so saturation and wrapping occur.
            var formats = Enumerable.Range(0, n).Select(_ =>
            {
                double lo = rng.Next(3) == 0 ? 0 : -rng.NextDouble() * 4, hi = rng.NextDouble() * 4;
                return FixedPointFormat.FromRange(lo, hi, rng.Next(-3, 9));
            }).ToArray();
            var p = HgqElementParameters.From(formats, 1, overflow);
            var x = Enumerable.Range(0, n).Select(_ => rng.Next(8) switch
            {
                0 => 0f,
                1 => -0f,
                2 => MathF.ScaleB(rng.Next(-40, 40) + 0.5f, -rng.Next(-3, 9)),
                3 => 1e-30f,
                4 => (float)(rng.NextDouble() * 40 - 20),
                _ => (float)(rng.NextDouble() * 6 - 3),
            }).ToArray();
            var y = new float[n];
            var clipped = new byte[n];
            HgqKernels.QuantizeScalar(x, p, 0, rounding, overflow, y, clipped);
            foreach (int width in new[] { 512, 256 })
            {
                var yv = new float[n];
                var cv = Enumerable.Repeat((byte)7, n).ToArray(); // every entry must be written
                int done = width == 512
                    ? HgqKernels.Quantize512(x, p, 0, rounding, overflow, yv, cv)
                    : HgqKernels.Quantize256(x, p, 0, rounding, overflow, yv, cv);
                HgqKernels.QuantizeScalar(x.AsSpan(done), p, done, rounding, overflow, yv.AsSpan(done), cv.AsSpan(done));
                Assert.Equal(Bits(y), Bits(yv));
                Assert.Equal(clipped, cv);
            }
            var yd = new float[n];
            var cd = new byte[n];
            HgqKernels.Quantize(x, p, 0, rounding, overflow, yd, cd);
            Assert.Equal(Bits(y), Bits(yd));
            Assert.Equal(clipped, cd);
            var yNoMask = new float[n];
            HgqKernels.Quantize(x, p, 0, rounding, overflow, yNoMask, []);
            Assert.Equal(Bits(y), Bits(yNoMask));
            if (overflow == OverflowMode.Wrap) Assert.All(clipped, c => Assert.Equal(0, c));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void SurrogateVectorPathsAreBitIdenticalToTheScalarTwin(int batch)
    {
        var rng = new Random(batch);
        foreach (int elements in new[] { 1, 15, 16, 33, 70, 64 + 33, 200 })
        {
            var g = Enumerable.Range(0, batch * elements).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var x = Enumerable.Range(0, batch * elements).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray();
            var y = x.Select(v => MathF.Round(v * 8) / 8).ToArray();
            foreach (var (start, end) in new[] { (0, elements), (elements / 3, elements) })
            {
                var df = new float[end - start];
                var sums = new double[end - start];
                HgqKernels.SurrogateScalar(g, y, x, batch, elements, start, end, df, []);
                HgqKernels.SurrogateScalar(g, y, x, batch, elements, start, end, [], sums);
                foreach (int width in new[] { 512, 256 })
                {
                    var dv = new float[end - start];
                    var sv = new double[end - start];
                    int e = width == 512 ? HgqKernels.Surrogate512(g, y, x, batch, elements, start, end, dv, [])
                                         : HgqKernels.Surrogate256(g, y, x, batch, elements, start, end, dv, []);
                    HgqKernels.SurrogateScalar(g, y, x, batch, elements, e, end, dv.AsSpan(e - start), []);
                    e = width == 512 ? HgqKernels.Surrogate512(g, y, x, batch, elements, start, end, [], sv)
                                     : HgqKernels.Surrogate256(g, y, x, batch, elements, start, end, [], sv);
                    HgqKernels.SurrogateScalar(g, y, x, batch, elements, e, end, [], sv.AsSpan(e - start));
                    Assert.Equal(Bits(df), Bits(dv));
                    Assert.Equal(sums, sv);
                }
                var dd = new float[end - start];
                HgqKernels.Surrogate(g, y, x, batch, elements, start, end, dd, []);
                Assert.Equal(Bits(df), Bits(dd));

                // Accumulating into an existing gradient equals writing to scratch and adding (as GradientSink did).
                var existing = Enumerable.Range(0, end - start).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
                var expected = existing.Zip(df, (a, b) => a + b).ToArray();
                foreach (int width in new[] { 0, 512, 256 })
                {
                    var acc = (float[])existing.Clone();
                    int e = width switch
                    {
                        512 => HgqKernels.Surrogate512(g, y, x, batch, elements, start, end, acc, [], accumulate: true),
                        256 => HgqKernels.Surrogate256(g, y, x, batch, elements, start, end, acc, [], accumulate: true),
                        _ => start,
                    };
                    HgqKernels.SurrogateScalar(g, y, x, batch, elements, e, end, acc.AsSpan(e - start), [], accumulate: true);
                    Assert.Equal(Bits(expected), Bits(acc));
                }
                var viaEntry = (float[])existing.Clone();
                HgqKernels.Surrogate(g, y, x, batch, elements, start, end, viaEntry, [], accumulate: true);
                Assert.Equal(Bits(expected), Bits(viaEntry));
                for (int k = 0; k < df.Length; k++) Assert.Equal((float)(-Math.Log(2) * sums[k]), df[k]);
            }
        }
    }

    /// <summary>The fast format of a recorded range against FixedPointFormat.FromRange (its reference), edge cases included.</summary>
    [Fact]
    public void RangeFormatEqualsFromRange()
    {
        var rng = new Random(11);
        float[] specials = [0f, -0f, 1e-40f, -1e-40f, 1e-30f, 0.5f, -0.5f, 1f, -1f, 3e20f, -3e20f, float.MaxValue, float.MinValue];
        for (int k = 0; k < 20000; k++)
        {
            float a = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)]
                : (float)(rng.NextDouble() * 4 - 2) * MathF.ScaleB(1f, rng.Next(-12, 12));
            float b = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)]
                : rng.Next(3) == 0 ? MathF.ScaleB(rng.Next(1, 64), rng.Next(-10, 4)) : (float)(rng.NextDouble() * 4 - 2) * MathF.ScaleB(1f, rng.Next(-12, 12));
            int f = rng.Next(-34, 19);
            var (min, max) = a <= b ? (a, b) : (b, a);
            Assert.Equal(FixedPointFormat.FromRange(min, max, f), HgqKernels.RangeFormat(min, max, f));
        }
        // Empty, NaN and infinite ranges take the general function (and its errors).
        Assert.Throws<ArgumentException>(() => HgqKernels.RangeFormat(1f, 0f, 3));
        Assert.Throws<ArgumentException>(() => HgqKernels.RangeFormat(float.NaN, 0f, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => HgqKernels.RangeFormat(float.NegativeInfinity, 0f, 3));
    }

    [Fact]
    public void MaskRangeAndClampKernelsEqualTheirScalarTwins()
    {
        var rng = new Random(9);
        for (int n = 0; n <= 70; n++)
        {
            var g = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            var clipped = Enumerable.Range(0, n).Select(_ => rng.Next(20) == 0 ? (byte)1 : (byte)0).ToArray();
            var dx = new float[n];
            var dxScalar = new float[n];
            HgqKernels.PassUnclipped(g, clipped, dx);
            HgqKernels.PassUnclippedScalar(g, clipped, dxScalar);
            Assert.Equal(Bits(dxScalar), Bits(dx));
            var inPlace = (float[])g.Clone();
            HgqKernels.ZeroClipped(inPlace, clipped);
            Assert.Equal(Bits(dxScalar), Bits(inPlace));
            var inPlaceScalar = (float[])g.Clone();
            HgqKernels.ZeroClippedScalar(inPlaceScalar, clipped);
            Assert.Equal(Bits(dxScalar), Bits(inPlaceScalar));

            var sample = Enumerable.Range(0, n).Select(_ => rng.Next(10) == 0 ? float.NaN : (float)rng.NextDouble() * 4 - 2).ToArray();
            var lo = Enumerable.Range(0, n).Select(_ => rng.Next(3) == 0 ? float.PositiveInfinity : (float)rng.NextDouble() - 1).ToArray();
            var hi = Enumerable.Range(0, n).Select(_ => rng.Next(3) == 0 ? float.NegativeInfinity : (float)rng.NextDouble()).ToArray();
            var (lo2, hi2) = ((float[])lo.Clone(), (float[])hi.Clone());
            HgqKernels.Widen(sample, lo, hi);
            HgqKernels.WidenScalar(sample, lo2, hi2);
            Assert.Equal(Bits(lo2), Bits(lo));
            Assert.Equal(Bits(hi2), Bits(hi));

            var f = Enumerable.Range(0, n).Select(_ => rng.Next(10) == 0 ? float.NaN : (float)rng.NextDouble() * 30 - 15).ToArray();
            var f2 = (float[])f.Clone();
            HgqKernels.Clamp(f, -8.49f, 10.49f);
            HgqKernels.ClampScalar(f2, -8.49f, 10.49f);
            Assert.Equal(Bits(f2), Bits(f));
        }
    }
}
