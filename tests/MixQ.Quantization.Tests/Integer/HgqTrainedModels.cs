using MixQ.NN.Data;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Training;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Tests.Hgq;
using MixQ.Tensors;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>
/// Tiny HGQ models trained for real (weights and bit widths, beta > 0, calibration and bias snapping before every
/// evaluation, as <see cref="HgqJob"/> does) on small learnable synthetic tasks, with a test set drawn wider than the
/// training data so that values beyond the calibrated ranges meet the overflow mode.
/// </summary>
internal static class HgqTrainedModels
{
    public sealed record Trained(Module Model, ModelSpec Spec, Dataset Test);

    /// <summary>
    /// conv: <see cref="HgqTestModels.ConvNet"/> (conv, relu, maxpool, conv stride 2, relu, flatten, linear) on [1, 8, 8]
    /// images whose class is the brightest quadrant; otherwise <see cref="HgqTestModels.Mlp"/> on 10 features whose
    /// class is the arg-max of a fixed linear map.
    /// </summary>
    public static Trained Train(bool conv, HgqGranularity granularity, RoundingMode rounding, OverflowMode overflow, int seed, int epochs = 3)
    {
        var rng = new Random(seed);
        var model = conv ? HgqTestModels.ConvNet(rng) : HgqTestModels.Mlp(rng);
        int[] shape = conv ? [1, 8, 8] : [10];
        int classes = conv ? 5 : 4;
        var spec = new ModelSpec(conv ? "hgq-convnet" : "hgq-mlp", shape, classes);
        var train = Data(conv, shape, classes, 512, 1f, new Random(seed + 1000));
        var test = Data(conv, shape, classes, 160, 1.7f, new Random(seed + 2000));

        var weights = new HgqQuantizerConfig { Granularity = granularity, InitialFractionalBits = 5, Overflow = OverflowMode.Wrap, Rounding = rounding };
        var activations = new HgqQuantizerConfig { Granularity = granularity, InitialFractionalBits = 4, Overflow = overflow, Rounding = rounding };
        var calibration = Enumerable.Range(0, 3).Select(b => Tensor.FromArray(
            train.Features.AsSpan(b * 64 * train.SampleSize, 64 * train.SampleSize).ToArray(), [64, .. shape])).ToList();
        HgqModel.Attach(model, weights, activations, calibration[0]);
        var options = new HgqOptions
        {
            Weights = weights, Activations = activations, Beta = BetaSchedule.Parse("log:1e-6:1e-4"), BitsLearningRate = 0.05,
            Epochs = epochs, BatchSize = 32,
        };
        var extension = new HgqTrainingExtension(model, options, calibration);
        var config = new TrainConfig { Model = spec.Name, Data = "synthetic", Epochs = epochs, BatchSize = 32, LearningRate = 0.1, WarmupEpochs = 0, Seed = seed };
        new Trainer(config, null, extension).Run(model, spec, train, test);
        model.Eval();
        return new Trained(model, spec, test);
    }

    private static Dataset Data(bool conv, int[] shape, int classes, int count, float spread, Random rng)
    {
        int size = shape.Aggregate(1, (a, b) => a * b);
        var x = new float[count * size];
        var labels = new int[count];
        var map = new Random(7); // the same labelling rule for every split
        var w = Enumerable.Range(0, classes * size).Select(_ => (float)(map.NextDouble() * 2 - 1)).ToArray();
        for (int n = 0; n < count; n++)
        {
            var sample = x.AsSpan(n * size, size);
            for (int i = 0; i < size; i++) sample[i] = spread * (float)(rng.NextDouble() * 2 - 1);
            if (conv)
            {
                int label = rng.Next(classes);
                labels[n] = label;
                if (label < 4)
                {
                    int oy = label / 2 * 4, ox = label % 2 * 4; // brighten one quadrant; class 4 brightens none
                    for (int y = 0; y < 4; y++)
                        for (int xx = 0; xx < 4; xx++) sample[(oy + y) * 8 + ox + xx] += 2 * spread;
                }
                continue;
            }
            int best = 0;
            double bestScore = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double score = 0;
                for (int i = 0; i < size; i++) score += w[c * size + i] * sample[i];
                if (score > bestScore) (best, bestScore) = (c, score);
            }
            labels[n] = best;
        }
        return new Dataset(conv ? "quadrants" : "linear", x, labels, shape, classes, DatasetKind.Table);
    }
}
