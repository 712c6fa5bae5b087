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
    /// per-element weight bits; per-channel activation bits (so a convolution's input has one format per channel), or
    /// with <paramref name="perElement"/> HGQ's default per-element activation bits (every pixel its own format, the
    /// model's input included). Without <paramref name="pool"/> the max pooling is left out (linear 64 -> 5): the first
    /// convolution then hands the second one a pixel every cycle along a row, with no gaps between beats.
    /// </summary>
    public static IntegerModel ConvNet(int seed, RoundingMode rounding, OverflowMode overflow, bool perElement = false, bool pool = true)
    {
        var rng = new Random(seed);
        var model = pool
            ? new Sequential(new Conv2d(1, 3, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(3, 4, 3, rng, stride: 2, padding: 1), new ReLU(), new Flatten(), new Linear(16, 5, rng))
            : new Sequential(new Conv2d(1, 3, 3, rng, padding: 1), new ReLU(),
                new Conv2d(3, 4, 3, rng, stride: 2, padding: 1), new ReLU(), new Flatten(), new Linear(64, 5, rng));
        var calibration = Tensor.RandN(rng, 1f, [64, 1, 8, 8]);
        HgqModel.Attach(model, new HgqQuantizerConfig { InitialFractionalBits = 5, Overflow = OverflowMode.Wrap, Rounding = rounding },
            new HgqQuantizerConfig { Granularity = perElement ? HgqGranularity.Element : HgqGranularity.Row, InitialFractionalBits = 4, Overflow = overflow, Rounding = rounding },
            calibration);
        Spread(model, rng, pruneEvery: perElement ? 7 : 0);
        return HgqIntegerConverter.Convert(model, new ModelSpec(perElement ? "hgq-convnet-pixels" : "hgq-convnet", [1, 8, 8], 5));
    }

    /// <summary>
    /// Random f in [-2, 8] everywhere, then calibration. With <paramref name="pruneEvery"/> &gt; 0, every such activation
    /// element of the layers after the first gets the range [0, 0] afterwards — a value HGQ saw only as 0 has width 0
    /// (pruned) — so formats with and without bits sit side by side.
    /// </summary>
    private static void Spread(Module model, Random rng, int pruneEvery = 0)
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
        if (pruneEvery == 0) return;
        foreach (var l in HgqModel.Layers(model).Skip(1))
        {
            var lo = l.Input.RangeMin!.Span;
            var hi = l.Input.RangeMax!.Span;
            for (int i = 3; i < lo.Length; i += pruneEvery) lo[i] = hi[i] = 0f;
        }
        HgqModel.SnapBiases(model);
    }

    /// <summary>Float inputs wider than the calibration data, so overflow handling is exercised.</summary>
    public static float[] Inputs(int count, int seed, int size = Features) => Tensor.RandN(new Random(seed), 1.7f, [count, size]).ToArray();
}
