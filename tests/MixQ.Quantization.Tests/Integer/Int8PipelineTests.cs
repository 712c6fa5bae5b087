using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>
/// The int8 path of the engine (byte tensors, packed GEMM on each instruction set, fused requantization, byte pooling)
/// against the engine's exact 64-bit path on random models with odd shapes, kernels above 8 (multi-chunk im2col
/// copies), padded and unpadded pooling, signed and unsigned codes, and layers that must fall back to 64 bits.
/// </summary>
public class Int8PipelineTests
{
    private static readonly NumberFormat[] Narrow = [NumberFormat.Fixed(8), NumberFormat.Sp2(4), NumberFormat.PowerOfTwo(4), NumberFormat.Fixed(4)];
    private static readonly NumberFormat[] Mixed = [NumberFormat.Fixed(8), NumberFormat.Sp2(4), NumberFormat.PowerOfTwo(4), NumberFormat.Fixed(4), NumberFormat.Sp2(8)];

    public static TheoryData<int, int, int, int, int, int, int, bool, int> Cases => new()
    {
        // k1, s1, p1, pool k, pool s, pool p, k2, signed input, seed
        { 5, 1, 2, 2, 2, 0, 3, true, 1 },
        { 3, 2, 1, 3, 2, 1, 9, false, 2 },
        { 1, 1, 0, 2, 1, 0, 2, true, 3 },
        { 4, 3, 0, 2, 2, 1, 10, false, 4 },
        { 2, 1, 1, 2, 2, 0, 1, true, 5 },
    };

    private static (IntRequantize Requantize, long Min, long Max) Requantize(Random rng, IntegerWeights w, long[] bias, ActivationCodes input, long min, long max)
    {
        var (_, bound) = IntegerModel.AccumulatorRange(w, bias, input, 1);
        // m / 2^s maps about a third of the worst-case accumulator onto the output range, so codes spread and some clamp.
        int s = (int)Math.Ceiling(Math.Log2(Math.Max(1, bound) / 3.0 / Math.Max(1, max - min))) + 31 - rng.Next(0, 2);
        s = Math.Clamp(s, 0, 62);
        var m = Enumerable.Range(0, w.Rows).Select(_ => rng.Next(1 << 30, int.MaxValue)).ToArray();
        var o = Enumerable.Range(0, w.Rows).Select(_ => rng.NextInt64(-(1L << 36), 1L << 36)).ToArray();
        return (new IntRequantize("rq", m, Enumerable.Repeat(s, w.Rows).ToArray(), o, min, max), min, max);
    }

    private static IntegerModel Model(int k1, int s1, int p1, int pk, int ps, int pp, int k2, bool signed, int seed, bool wideDense)
    {
        var rng = new Random(seed);
        int c0 = 3, h = 17, w = 15, c1 = 7, c2 = 9;
        var inCodes = new ActivationCodes(signed ? 8 : 6, signed);
        var input = new InputQuantization(1.3f, inCodes);
        var layers = new List<IntLayer>();
        int[] shape = [c0, h, w];

        var w1 = IntegerTestModels.RandomWeights(rng, c1, c0 * k1 * k1, Narrow);
        var b1 = new long[c1];
        var (lo, hi) = IntegerModel.AccumulatorRange(w1, b1, inCodes, 1);
        var conv1 = new IntConv2d("c1", w1, b1, inCodes, IntegerModel.BitsFor(lo, hi), c0, k1, s1, p1);
        layers.Add(conv1);
        shape = conv1.OutputShape(shape);
        layers.Add(Requantize(rng, w1, b1, inCodes, 0, 15).Requantize);
        var pool = new IntMaxPool2d("pool", pk, ps, pp);
        layers.Add(pool);
        shape = pool.OutputShape(shape);

        var codes2 = new ActivationCodes(4, false);
        int p2 = k2 / 2;
        var w2 = IntegerTestModels.RandomWeights(rng, c2, c1 * k2 * k2, Narrow);
        var b2 = new long[c2];
        (lo, hi) = IntegerModel.AccumulatorRange(w2, b2, codes2, 1);
        var conv2 = new IntConv2d("c2", w2, b2, codes2, IntegerModel.BitsFor(lo, hi), c1, k2, 1, p2);
        layers.Add(conv2);
        shape = conv2.OutputShape(shape);
        layers.Add(Requantize(rng, w2, b2, codes2, -7, 7).Requantize); // signed codes: zero point 128 for the dense layer
        layers.Add(new IntFlatten("flat"));
        int features = shape.Aggregate(1, (a, b) => a * b);

        var codes3 = new ActivationCodes(4, true);
        var w3 = IntegerTestModels.RandomWeights(rng, 13, features, wideDense ? Mixed : Narrow);
        var b3 = new long[13];
        (lo, hi) = IntegerModel.AccumulatorRange(w3, b3, codes3, 1);
        layers.Add(new IntDense("d1", w3, b3, codes3, IntegerModel.BitsFor(lo, hi)));
        layers.Add(Requantize(rng, w3, b3, codes3, 0, 255).Requantize);

        var codes4 = new ActivationCodes(8, false);
        var w4 = IntegerTestModels.RandomWeights(rng, 5, 13, Narrow);
        var b4 = Enumerable.Range(0, 5).Select(_ => rng.NextInt64(-3000, 3000)).ToArray();
        (lo, hi) = IntegerModel.AccumulatorRange(w4, b4, codes4, 1);
        layers.Add(new IntDense("d2", w4, b4, codes4, IntegerModel.BitsFor(lo, hi)));
        // Logits beyond a byte: the fused requantization writes longs.
        layers.Add(Requantize(rng, w4, b4, codes4, -100000, 100000).Requantize);
        return new IntegerModel("t", [c0, h, w], 5, input, layers, 1, "test");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Int8PathEqualsThe64BitPathOnEveryInstructionSet(int k1, int s1, int p1, int pk, int ps, int pp, int k2, bool signed, int seed)
    {
        foreach (bool wideDense in new[] { false, true })
        {
            var model = Model(k1, s1, p1, pk, ps, pp, k2, signed, seed, wideDense);
            var rng = new Random(seed + 50);
            foreach (int batch in new[] { 1, 5, 131 })
            {
                var x = IntegerTestModels.RandomInputs(rng, batch * 3 * 17 * 15);
                var reference = new IntegerEngine(model, simd: false).Logits(x, batch);
                Assert.True(reference.Distinct().Count() > Math.Min(batch, 3), "degenerate test model: the logits hardly vary");
                foreach (var isa in Enum.GetValues<Int8Isa>().Where(Int8Gemm.IsSupported))
                {
                    var engine = new IntegerEngine(model, (Int8Isa?)isa);
                    Assert.Equal(wideDense ? 3 : 4, engine.SimdLayers);
                    Assert.Equal(reference, engine.Logits(x, batch));
                }
                // Traced runs (unfused, one thread) give the same logits and every layer's integers equal the reference's.
                var traced = new IntegerEngine(model);
                var wideTraced = new IntegerEngine(model, simd: false);
                var a = new Dictionary<int, long[]>();
                var b = new Dictionary<int, long[]>();
                traced.Trace = (l, v, _) => a[l] = v;
                wideTraced.Trace = (l, v, _) => b[l] = v;
                Assert.Equal(reference, traced.Logits(x, batch));
                wideTraced.Logits(x, batch);
                Assert.Equal(b.Keys.Order(), a.Keys.Order());
                foreach (var l in b.Keys) Assert.Equal(b[l], a[l]);
            }
        }
    }
}
