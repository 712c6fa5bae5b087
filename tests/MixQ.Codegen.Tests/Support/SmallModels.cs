using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Codegen.Tests.Support;

/// <summary>
/// Small integer models with random but valid weights (fixed, PoT and SP2 rows mixed in every layer), random biases
/// and requantizations — real IntegerModels that the integer engine runs, small enough for fast simulation.
/// Inputs are given as integer codes: the entrance clip equals the largest code, so quantization is the identity.
/// </summary>
internal static class SmallModels
{
    private static readonly NumberFormat[] Formats = [NumberFormat.Fixed(4), NumberFormat.Sp2(4), NumberFormat.Fixed(8), NumberFormat.PowerOfTwo(4), NumberFormat.Sp2(8)];

    /// <summary>conv 3@3x3 pad 1 -> requant(ReLU) -> maxpool 2 -> flatten -> dense 8 -> requant(ReLU) -> dense 4 -> requant (signed logits).</summary>
    public static IntegerModel ConvNet(int seed)
    {
        var rng = new Random(seed);
        var input = new ActivationCodes(8, true);
        var u4 = new ActivationCodes(4, false);
        var layers = new List<IntLayer>();
        var conv = Weights(rng, 3, 1 * 3 * 3);
        layers.Add(new IntConv2d("conv", conv, Bias(rng, 3, 200), input, AccBits(conv, input, 200), 1, 3, 1, 1));
        layers.Add(Requant(rng, "conv.q", 3, conv, input, 0, 15, perChannel: true));
        layers.Add(new IntMaxPool2d("pool", 2, 2, 0));
        layers.Add(new IntFlatten("flatten"));
        var fc1 = Weights(rng, 8, 3 * 4 * 4);
        layers.Add(new IntDense("fc1", fc1, Bias(rng, 8, 100), u4, AccBits(fc1, u4, 100)));
        layers.Add(Requant(rng, "fc1.q", 1, fc1, u4, 0, 15, perChannel: false));
        var fc2 = Weights(rng, 4, 8);
        layers.Add(new IntDense("fc2", fc2, Bias(rng, 4, 50), u4, AccBits(fc2, u4, 50)));
        layers.Add(Requant(rng, "fc2.q", 1, fc2, u4, -2047, 2047, perChannel: false, target: 1000));
        return new IntegerModel("smallconv", [1, 8, 8], 4, new InputQuantization(input.MaxCode, input), layers, 0.01, "test");
    }

    /// <summary>flatten [1, 4, 4] -> dense 6 -> requant(ReLU) -> dense 3 (raw accumulators as logits).</summary>
    public static IntegerModel Mlp(int seed)
    {
        var rng = new Random(seed);
        var input = new ActivationCodes(8, true);
        var u4 = new ActivationCodes(4, false);
        var fc1 = Weights(rng, 6, 16);
        var fc2 = Weights(rng, 3, 6);
        var layers = new List<IntLayer>
        {
            new IntFlatten("flatten"),
            new IntDense("fc1", fc1, Bias(rng, 6, 300), input, AccBits(fc1, input, 300)),
            Requant(rng, "fc1.q", 6, fc1, input, 0, 15, perChannel: true),
            new IntDense("fc2", fc2, Bias(rng, 3, 30), u4, AccBits(fc2, u4, 30)),
        };
        return new IntegerModel("smallmlp", [1, 4, 4], 3, new InputQuantization(input.MaxCode, input), layers, 0.01, "test");
    }

    /// <summary>Random input codes for <paramref name="count"/> samples (floats equal to the codes).</summary>
    public static float[] Inputs(IntegerModel model, int count, int seed)
    {
        var rng = new Random(seed);
        int size = model.InputShape.Aggregate(1, (a, b) => a * b);
        var codes = ((InputQuantization)model.Input).Codes;
        int max = (int)codes.MaxCode, min = (int)codes.MinCode;
        var x = new float[count * size];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Next(min, max + 1);
        return x;
    }

    private static IntegerWeights Weights(Random rng, int rows, int rowLength)
    {
        var formats = new NumberFormat[rows];
        var frames = new int[rows];
        var scales = new float[rows];
        var codes = new byte[rows * rowLength];
        for (int r = 0; r < rows; r++)
        {
            var f = Formats[(r + rng.Next(Formats.Length)) % Formats.Length];
            formats[r] = f;
            scales[r] = 0.1f;
            var levels = LevelSet.For(f);
            int maxExp = 0;
            for (int j = 0; j < rowLength; j++)
            {
                var code = levels.Codes[rng.Next(levels.Count)];
                byte word = WeightCodec.Encode(f, code);
                codes[r * rowLength + j] = word;
                maxExp = Math.Max(maxExp, WeightCodec.Exponent(f, word));
            }
            frames[r] = f.Scheme == QuantScheme.Fixed ? 0 : maxExp;
        }
        return new IntegerWeights(rows, rowLength, formats, frames, scales, codes);
    }

    private static long[] Bias(Random rng, int n, int magnitude) =>
        Enumerable.Range(0, n).Select(_ => (long)rng.Next(-magnitude, magnitude + 1)).ToArray();

    private static int AccBits(IntegerWeights w, ActivationCodes input, long biasBound)
    {
        long bound = 0;
        for (int r = 0; r < w.Rows; r++) bound = Math.Max(bound, w.RowAbsSum(r) * input.MaxCode + biasBound);
        return IntegerModel.BitsFor(-bound, bound);
    }

    private static IntRequantize Requant(Random rng, string name, int channels, IntegerWeights w, ActivationCodes input, long min, long max, bool perChannel, double target = 8)
    {
        long bound = 1;
        for (int r = 0; r < w.Rows; r++) bound = Math.Max(bound, w.RowAbsSum(r) * input.MaxCode);
        var m = new int[channels];
        var s = new int[channels];
        var o = new long[channels];
        for (int c = 0; c < channels; c++)
        {
            // Scale typical accumulators (a quarter of the bound) to about `target` codes, varied per channel.
            double factor = target / (bound / 4.0) * (0.5 + rng.NextDouble());
            (m[c], s[c]) = Requantizer.FromReal(factor);
            // The bias carried at the multiplier's precision: up to a few output steps, not a multiple of 2^s.
            o[c] = (long)((rng.NextDouble() - 0.5) * 6 * Math.ScaleB(1.0, s[c]));
        }
        return new IntRequantize(name, m, s, o, min, max);
    }
}
