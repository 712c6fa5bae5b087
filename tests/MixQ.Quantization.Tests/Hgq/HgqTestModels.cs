using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Quantization.Hgq;
using MixQ.Tensors;

namespace MixQ.Quantization.Tests.Hgq;

/// <summary>Small models with HGQ attached, for EBOPs and integer-evaluation tests.</summary>
internal static class HgqTestModels
{
    public static HgqQuantizerConfig Weights(RoundingMode r = RoundingMode.RoundHalfUp) =>
        new() { InitialFractionalBits = 5, Overflow = OverflowMode.Wrap, Rounding = r };

    public static HgqQuantizerConfig Activations(RoundingMode r = RoundingMode.RoundHalfUp, OverflowMode o = OverflowMode.Saturate) =>
        new() { InitialFractionalBits = 4, Overflow = o, Rounding = r };

    /// <summary>conv 2@3x3 pad 1, relu, maxpool 2, conv 3@3x3 stride 2 pad 1, relu, flatten, linear 12 -> 5 on [1, 8, 8] inputs.</summary>
    public static Module ConvNet(Random rng) => new Sequential(
        new Conv2d(1, 2, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
        new Conv2d(2, 3, 3, rng, stride: 2, padding: 1), new ReLU(),
        new Flatten(),
        new Linear(12, 5, rng));

    public static Module Mlp(Random rng) => new Sequential(new Flatten(), new Linear(10, 8, rng), new ReLU(), new Linear(8, 4, rng));

    /// <summary>Random real-valued f everywhere, so different elements really have different formats.</summary>
    public static void RandomiseBits(Module model, Random rng, float low = 1, float high = 7)
    {
        foreach (var l in HgqModel.Layers(model))
        {
            foreach (var f in new[] { l.Weight.FractionalBits, l.Input.FractionalBits })
            {
                var s = f.Span;
                for (int i = 0; i < s.Length; i++) s[i] = low + (float)rng.NextDouble() * (high - low);
            }
        }
    }
}
