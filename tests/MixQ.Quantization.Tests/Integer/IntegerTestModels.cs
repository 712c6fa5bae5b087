using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using MixQ.Quantization.Qat;
using MixQ.Tensors;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>Random integer weights and small fake-quantized models for the integer-engine tests.</summary>
internal static class IntegerTestModels
{
    /// <summary>Rows cycling through <paramref name="formats"/>, each weight a random level of its row's format.</summary>
    public static IntegerWeights RandomWeights(Random rng, int rows, int length, params NumberFormat[] formats)
    {
        var rowFormats = Enumerable.Range(0, rows).Select(r => formats[r % formats.Length]).ToArray();
        var codes = new byte[rows * length];
        var frames = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            var format = rowFormats[r];
            var set = format.Levels;
            int frame = 0;
            for (int j = 0; j < length; j++)
            {
                byte word;
                do word = WeightCodec.Encode(format, set.Codes[rng.Next(set.Count)]);
                while (WeightCodec.Exponent(format, word) > IntegerWeights.MaxFrame);
                codes[r * length + j] = word;
                frame = Math.Max(frame, WeightCodec.Exponent(format, word));
            }
            frames[r] = format.Scheme == QuantScheme.Fixed ? 0 : frame;
        }
        var scales = Enumerable.Range(0, rows).Select(_ => (float)(0.1 + rng.NextDouble())).ToArray();
        return new IntegerWeights(rows, length, rowFormats, frames, scales, codes);
    }

    public static float[] RandomInputs(Random rng, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 3 - 1.5)).ToArray();

    /// <summary>
    /// conv "0" 2->4 k3 pad 1 -> relu -> maxpool 2 -> flatten -> linear "4" 36->10 -> relu -> linear "6" 10->3,
    /// input [2, 6, 6], every layer with the given mix, quantizers attached and calibrated on random inputs.
    /// </summary>
    public static Module QuantizedConvNet(string mix, int seed)
    {
        var rng = new Random(seed);
        var model = new Sequential(new Conv2d(2, 4, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2), new Flatten(),
            new Linear(36, 10, rng), new ReLU(), new Linear(10, 3, rng));
        model.Eval();
        var plan = PlanBuilder.Build(model, new PlanOptions { Mix = MixSpec.Parse(mix), Edges = EdgeLayerPolicy.FollowMix, Seed = seed });
        var calibration = Enumerable.Range(0, 2).Select(_ => Tensor.FromArray(RandomInputs(rng, 16 * 72), 16, 2, 6, 6)).ToList();
        QatModel.Attach(model, plan, "test", learnScales: false, calibration);
        return model;
    }
}
