using MixQ.NN.Layers;
using MixQ.Tensors;

namespace MixQ.NN.Tests;

public class BatchNormLayerTests
{
    /// <summary>A BN layer with non-trivial affine parameters and running statistics from a few training batches.</summary>
    private static T Trained<T>(T bn, Random rng, params int[] batchShape) where T : BatchNorm
    {
        for (int i = 0; i < bn.NumFeatures; i++)
        {
            bn.Weight!.Storage[i] = 0.5f + (float)rng.NextDouble();
            bn.Bias!.Storage[i] = (float)rng.NextDouble() - 0.5f;
        }
        for (int step = 0; step < 3; step++) bn.Forward(Tensor.RandUniform(rng, -2, 4, batchShape));
        bn.Eval();
        return bn;
    }

    [Fact]
    public void TrainingNormalisesPerChannelAndEvaluationUsesRunningStatistics()
    {
        var rng = new Random(1);
        var bn = new BatchNorm2d(3);
        var x = Tensor.RandUniform(rng, -2, 5, 4, 3, 5, 5);
        var y = bn.Forward(x).ToArray();
        for (int c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, 4).SelectMany(n => y.Skip((n * 3 + c) * 25).Take(25)).ToArray();
            Assert.InRange(values.Average(), -1e-5, 1e-5);
            Assert.InRange(values.Select(v => (double)v * v).Average(), 0.999, 1.0);
        }
        Assert.Contains(bn.RunningMean.ToArray(), v => v != 0f);

        bn.Eval();
        var mean = bn.RunningMean.ToArray();
        var variance = bn.RunningVar.ToArray();
        var evalY = bn.Forward(x).ToArray();
        var xs = x.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            int c = i / 25 % 3;
            double expected = (xs[i] - mean[c]) / Math.Sqrt(variance[c] + 1e-5);
            Assert.True(Math.Abs(expected - evalY[i]) < 1e-5, $"element {i}: {evalY[i]} vs {expected}");
        }
        Assert.Equal(mean, bn.RunningMean.ToArray());   // evaluation leaves the statistics alone
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void FoldingIntoConvMatchesConvFollowedByBatchNorm(bool convBias, int stride)
    {
        var rng = new Random(2);
        var conv = new Conv2d(3, 5, 3, rng, stride: stride, padding: 1, bias: convBias);
        var bn = new BatchNorm2d(5);
        bn.Train();
        // Running statistics must reflect the conv output, as after real training.
        for (int i = 0; i < 3; i++) bn.Forward(conv.Forward(Tensor.RandUniform(rng, -1, 1, 4, 3, 6, 6)));
        Trained(bn, rng, 2, 5, 3, 3);

        var x = Tensor.RandUniform(rng, -1, 1, 2, 3, 7, 6);
        var expected = bn.Forward(conv.Forward(x)).ToArray();
        var folded = BatchNormFolding.FoldInto(conv, bn);
        Assert.NotNull(folded.Bias);
        var actual = folded.Forward(x).ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void FoldingIntoLinearMatchesLinearFollowedByBatchNorm()
    {
        var rng = new Random(3);
        var linear = new Linear(6, 4, rng);
        var bn = Trained(new BatchNorm1d(4), rng, 8, 4);
        var x = Tensor.RandUniform(rng, -1, 1, 5, 6);
        var expected = bn.Forward(linear.Forward(x)).ToArray();
        var (w, b) = BatchNormFolding.Fold(linear, bn);
        var actual = Ops.Linear(x, w, b).ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void FoldedScaleShiftFollowsTheFormula()
    {
        var bn = Trained(new BatchNorm1d(3, eps: 1e-3f), new Random(4), 6, 3);
        var (scale, shift) = bn.FoldedScaleShift();
        for (int c = 0; c < 3; c++)
        {
            double s = bn.Weight![c] / Math.Sqrt(bn.RunningVar[c] + 1e-3);
            Assert.Equal(s, scale[c], 1e-6);
            Assert.Equal(bn.Bias![c] - bn.RunningMean[c] * s, shift[c], 1e-6);
        }
    }

    [Fact]
    public void FoldingRejectsAChannelMismatch()
    {
        var rng = new Random(5);
        Assert.Throws<ArgumentException>(() => BatchNormFolding.Fold(new Conv2d(2, 4, 3, rng), new BatchNorm2d(3)));
    }
}
