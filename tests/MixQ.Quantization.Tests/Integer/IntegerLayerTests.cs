using System.Numerics;
using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>Each integer layer of the engine against straightforward scalar loops (direct convolution, BigInteger requantization).</summary>
public class IntegerLayerTests
{
    private static readonly NumberFormat[] Mixed =
        [NumberFormat.Fixed(8), NumberFormat.Sp2(4), NumberFormat.PowerOfTwo(4), NumberFormat.Fixed(4), NumberFormat.Sp2(8)];

    private static readonly NumberFormat[] Narrow = [NumberFormat.Fixed(8), NumberFormat.Sp2(4), NumberFormat.PowerOfTwo(4), NumberFormat.Fixed(4)];

    private static long[] EntranceCodes(InputQuantization q, float[] x)
    {
        // Independent of the engine: t = fl(x * fl(1/a)) is a float, t * n is exact in double.
        float inv = 1f / q.Clip;
        return x.Select(v => (long)Math.Clamp(Math.Round((double)(v * inv) * q.Codes.MaxCode, MidpointRounding.AwayFromZero),
            q.Codes.MinCode, q.Codes.MaxCode)).ToArray();
    }

    private static long Requant(long acc, int m, int s, long offset, long min, long max)
    {
        var p = (BigInteger)acc * m + offset;
        var q = BigInteger.DivRem(BigInteger.Abs(p), BigInteger.One << s, out var rem);
        if (rem * 2 >= BigInteger.One << s) q++;
        if (p.Sign < 0) q = -q;
        return (long)BigInteger.Clamp(q, min, max);
    }

    [Theory]
    [InlineData(true, 1, 1, 8, true)]
    [InlineData(true, 2, 0, 8, true)]
    [InlineData(false, 2, 2, 4, false)]
    [InlineData(true, 1, 1, 4, false)]
    public void ConvolutionMatchesDirectLoops(bool narrowOnly, int stride, int padding, int bits, bool signed)
    {
        var rng = new Random(stride * 10 + padding);
        int c = 3, h = 7, w = 6, k = 3, outChannels = 5, batch = 3;
        var weights = IntegerTestModels.RandomWeights(rng, outChannels, c * k * k, narrowOnly ? Narrow : Mixed);
        var bias = Enumerable.Range(0, outChannels).Select(_ => rng.NextInt64(-5000, 5000)).ToArray();
        var codes = new ActivationCodes(bits, signed);
        var (lo, hi) = IntegerModel.AccumulatorRange(weights, bias, codes, 1);
        var conv = new IntConv2d("conv", weights, bias, codes, IntegerModel.BitsFor(lo, hi), c, k, stride, padding);
        var outShape = conv.OutputShape([c, h, w]);
        var input = new InputQuantization(0.9f, codes);
        var model = new IntegerModel("t", [c, h, w], outShape.Aggregate(1, (a, b) => a * b), input, [conv, new IntFlatten("f")], 1, "test");
        var x = IntegerTestModels.RandomInputs(rng, batch * c * h * w);
        var xc = EntranceCodes(input, x);

        var expected = new long[batch * model.NumClasses];
        int oh = outShape[1], ow = outShape[2];
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < outChannels; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        long acc = bias[o];
                        for (int ci = 0; ci < c; ci++)
                            for (int i = 0; i < k; i++)
                                for (int j = 0; j < k; j++)
                                {
                                    int iy = oy * stride + i - padding, ix = ox * stride + j - padding;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    acc += xc[((n * c + ci) * h + iy) * w + ix] * weights.Value(o, (ci * k + i) * k + j);
                                }
                        expected[((n * outChannels + o) * oh + oy) * ow + ox] = acc;
                    }
        Assert.Equal(expected, new IntegerEngine(model).Logits(x, batch));
        Assert.Equal(expected, new IntegerEngine(model, simd: false).Logits(x, batch));
        Assert.Equal(narrowOnly ? 1 : 0, new IntegerEngine(model).SimdLayers);
    }

    [Fact]
    public void RequantizeMaxPoolSumPoolDenseAndClampMatchScalarLoops()
    {
        var rng = new Random(5);
        int c = 4, h = 5, w = 5, batch = 4, classes = 3;
        var codes = new ActivationCodes(8, true);
        var convW = IntegerTestModels.RandomWeights(rng, c, 2 * 9, Narrow);
        var convB = new long[c];
        var (lo, hi) = IntegerModel.AccumulatorRange(convW, convB, codes, 1);
        var conv = new IntConv2d("conv", convW, convB, codes, IntegerModel.BitsFor(lo, hi), 2, 3, 1, 1);
        var m1 = Enumerable.Range(0, c).Select(_ => rng.Next(1 << 30, int.MaxValue)).ToArray();
        var s1 = Enumerable.Range(0, c).Select(_ => rng.Next(36, 42)).ToArray();
        var o1 = Enumerable.Range(0, c).Select(_ => rng.NextInt64(-(1L << 40), 1L << 40)).ToArray();
        var requant = new IntRequantize("rq", m1, s1, o1, 0, 15);
        var pool = new IntMaxPool2d("pool", 3, 2, 1);
        var sum = new IntGlobalSumPool("sum");
        var dense = IntegerTestModels.RandomWeights(rng, classes, c, Mixed);
        var denseCodes = new ActivationCodes(8, false);
        var denseBias = new long[] { 7, -9, 100 };
        var (dlo, dhi) = IntegerModel.AccumulatorRange(dense, denseBias, denseCodes, 1);
        var fc = new IntDense("fc", dense, denseBias, denseCodes, IntegerModel.BitsFor(dlo, dhi));
        var clamp = new IntClamp("clamp", -20000, 20000);
        var input = new InputQuantization(1.2f, codes);
        var model = new IntegerModel("t", [2, h, w], classes, input, [conv, requant, pool, sum, fc, clamp], 1, "test");
        var x = IntegerTestModels.RandomInputs(rng, batch * 2 * h * w);
        var xc = EntranceCodes(input, x);

        var expected = new long[batch * classes];
        for (int n = 0; n < batch; n++)
        {
            var q = new long[c, h, w];
            for (int o = 0; o < c; o++)
                for (int y = 0; y < h; y++)
                    for (int z = 0; z < w; z++)
                    {
                        long acc = 0;
                        for (int ci = 0; ci < 2; ci++)
                            for (int i = 0; i < 3; i++)
                                for (int j = 0; j < 3; j++)
                                {
                                    int iy = y + i - 1, ix = z + j - 1;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) acc += xc[((n * 2 + ci) * h + iy) * w + ix] * convW.Value(o, (ci * 3 + i) * 3 + j);
                                }
                        q[o, y, z] = Requant(acc, m1[o], s1[o], o1[o], 0, 15);
                    }
            var pooled = new long[c];
            for (int o = 0; o < c; o++)
                for (int py = 0; py < 3; py++)
                    for (int px = 0; px < 3; px++)
                    {
                        long best = long.MinValue;
                        for (int i = 0; i < 3; i++)
                            for (int j = 0; j < 3; j++)
                            {
                                int iy = py * 2 + i - 1, ix = px * 2 + j - 1;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) best = Math.Max(best, q[o, iy, ix]);
                            }
                        pooled[o] += best;
                    }
            for (int k = 0; k < classes; k++)
            {
                long acc = denseBias[k];
                for (int o = 0; o < c; o++) acc += pooled[o] * dense.Value(k, o);
                expected[n * classes + k] = Math.Clamp(acc, -20000, 20000);
            }
        }
        Assert.Equal(expected, new IntegerEngine(model).Logits(x, batch));
        Assert.Equal(expected, new IntegerEngine(model, simd: false).Logits(x, batch));
    }

    [Fact]
    public void AnInputOutsideTheDeclaredCodesIsRejectedByAnalysis()
    {
        var rng = new Random(2);
        var weights = IntegerTestModels.RandomWeights(rng, 3, 4, Narrow);
        var dense = new IntDense("fc", weights, new long[3], new ActivationCodes(4, false), 20);
        // The entrance gives signed 8-bit codes but the layer expects unsigned 4-bit ones.
        var model = new IntegerModel("t", [4], 3, new InputQuantization(1f, new ActivationCodes(8, true)), [dense], 1, "test");
        var e = Assert.Throws<MixQException>(() => model.Analyze());
        Assert.Contains("a requantization is missing", e.Message);
    }
}
