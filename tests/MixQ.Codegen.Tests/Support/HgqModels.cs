using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;
using MixQ.Tensors;

namespace MixQ.Codegen.Tests.Support;

/// <summary>Small HGQ models as integer models (HgqIntegerConverter), with per-element bit widths spread out.</summary>
internal static class HgqModels
{
    public const int Features = 12;

    /// <summary>flatten, linear 12 -> 10, relu, linear 10 -> 8, relu, linear 8 -> 4; per-element f in [-2, 8], calibrated.</summary>
    public static IntegerModel Mlp(int seed, RoundingMode rounding, OverflowMode overflow)
    {
        var rng = new Random(seed);
        var model = new Sequential(new Flatten(), new Linear(Features, 10, rng), new ReLU(), new Linear(10, 8, rng), new ReLU(), new Linear(8, 4, rng));
        var calibration = Tensor.RandN(rng, 1f, [64, Features]);
        HgqModel.Attach(model, new HgqQuantizerConfig { InitialFractionalBits = 5, Overflow = OverflowMode.Wrap, Rounding = rounding },
            new HgqQuantizerConfig { InitialFractionalBits = 4, Overflow = overflow, Rounding = rounding }, calibration);
        Spread(model, rng);
        return HgqIntegerConverter.Convert(model, new ModelSpec("hgq-mlp", [Features], 4));
    }

    /// <summary>
    /// conv 1 -> 3 k3 pad 1, relu, maxpool 2, conv 3 -> 4 k3 stride 2 pad 1, relu, flatten, linear 16 -> 5 on [1, 8, 8];
    /// per-element weight bits, per-channel activation bits (so a convolution's input has one format per channel).
    /// </summary>
    public static IntegerModel ConvNet(int seed, RoundingMode rounding, OverflowMode overflow)
    {
        var rng = new Random(seed);
        var model = new Sequential(new Conv2d(1, 3, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(3, 4, 3, rng, stride: 2, padding: 1), new ReLU(), new Flatten(), new Linear(16, 5, rng));
        var calibration = Tensor.RandN(rng, 1f, [64, 1, 8, 8]);
        HgqModel.Attach(model, new HgqQuantizerConfig { InitialFractionalBits = 5, Overflow = OverflowMode.Wrap, Rounding = rounding },
            new HgqQuantizerConfig { Granularity = HgqGranularity.Row, InitialFractionalBits = 4, Overflow = overflow, Rounding = rounding }, calibration);
        Spread(model, rng);
        return HgqIntegerConverter.Convert(model, new ModelSpec("hgq-convnet", [1, 8, 8], 5));
    }

    private static void Spread(Module model, Random rng)
    {
        foreach (var l in HgqModel.Layers(model))
            foreach (var f in new[] { l.Weight.FractionalBits, l.Input.FractionalBits })
            {
                var s = f.Span;
                for (int i = 0; i < s.Length; i++) s[i] = -2 + (float)rng.NextDouble() * 10;
            }
        var calibration = Tensor.RandN(rng, 1f, [64, .. HgqModel.Layers(model)[0].Input.ElementShape.ToArray()]);
        HgqModel.SnapBiases(model);
        HgqModel.Calibrate(model, [calibration]);
        HgqModel.SnapBiases(model);
    }

    /// <summary>Float inputs wider than the calibration data, so overflow handling is exercised.</summary>
    public static float[] Inputs(int count, int seed, int size = Features) => Tensor.RandN(new Random(seed), 1.7f, [count, size]).ToArray();
}
