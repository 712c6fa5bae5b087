using MixQ.Tensors;
using static MixQ.Tensors.Tests.Approx;

namespace MixQ.Tensors.Tests;

public class NormTests
{
    [Theory]
    [InlineData(new[] { 3, 2, 3, 2 })]  // BatchNorm2d layout
    [InlineData(new[] { 5, 3 })]        // BatchNorm1d layout (rows path)
    [InlineData(new[] { 2, 4, 5 })]     // [N, C, L]
    public void BatchNormTrainingMatchesReference(int[] shape)
    {
        var rng = new Random(shape.Sum());
        int n = shape[0], c = shape[1], s = shape.Skip(2).Aggregate(1, (a, b) => a * b);
        var x = Random(rng, 2f, shape);
        // A channel offset far from zero exercises the two-pass variance.
        for (int i = 0; i < x.Size; i++) x.Storage[i] += 3f;
        var gamma = Random(rng, 1f, c);
        var beta = Random(rng, 1f, c);
        GradCheck.Run(t => Ops.BatchNorm(t[0], t[1], t[2], null, null, training: true),
            v => NaiveReference.BatchNorm(v[0], n, c, s, v[1], v[2], null, null, 1e-5, out _, out _),
            new GradCheck.Options { ForwardRelTol = 2e-4 }, [x, gamma, beta]);
    }

    [Theory]
    [InlineData(new[] { 3, 2, 3, 2 })]
    [InlineData(new[] { 5, 3 })]
    public void BatchNormEvaluationUsesRunningStatistics(int[] shape)
    {
        var rng = new Random(shape.Sum() + 1);
        int n = shape[0], c = shape[1], s = shape.Skip(2).Aggregate(1, (a, b) => a * b);
        var x = Random(rng, 2f, shape);
        var gamma = Random(rng, 1f, c);
        var beta = Random(rng, 1f, c);
        var mean = Tensor.RandUniform(rng, -1, 1, c);
        var variance = Tensor.RandUniform(rng, 0.5f, 2, c);
        var meanD = mean.ToArray().Select(v => (double)v).ToArray();
        var varD = variance.ToArray().Select(v => (double)v).ToArray();
        GradCheck.Run(t => Ops.BatchNorm(t[0], t[1], t[2], mean, variance, training: false),
            v => NaiveReference.BatchNorm(v[0], n, c, s, v[1], v[2], meanD, varD, 1e-5, out _, out _),
            [x, gamma, beta]);
        Assert.Equal(meanD.Select(v => (float)v), mean.ToArray());   // evaluation never updates the statistics
    }

    [Fact]
    public void BatchNormWithoutAffineParameters()
    {
        var x = Random(new Random(9), 1f, 4, 3, 2, 2);
        GradCheck.Run(t => Ops.BatchNorm(t[0], null, null, null, null, training: true),
            v => NaiveReference.BatchNorm(v[0], 4, 3, 4, null, null, null, null, 1e-5, out _, out _),
            [x]);
    }

    [Theory]
    [InlineData(new[] { 4, 3, 2, 5 })]
    [InlineData(new[] { 6, 4 })]
    public void BatchNormUpdatesRunningStatisticsWithPyTorchMomentum(int[] shape)
    {
        var rng = new Random(4);
        int n = shape[0], c = shape[1], s = shape.Skip(2).Aggregate(1, (a, b) => a * b);
        var x = Tensor.RandUniform(rng, -2, 3, shape);
        var runningMean = Tensor.Full(0.5f, c);
        var runningVar = Tensor.Full(2f, c);
        Ops.BatchNorm(x, null, null, runningMean, runningVar, training: true, momentum: 0.1f);
        NaiveReference.BatchNorm(x.ToArray().Select(v => (double)v).ToArray(), n, c, s, null, null, null, null, 1e-5,
            out var mean, out var variance);
        int m = n * s;
        for (int ch = 0; ch < c; ch++)
        {
            AssertClose(0.9 * 0.5 + 0.1 * mean[ch], runningMean[ch], 1e-5, $"running mean {ch}");
            AssertClose(0.9 * 2 + 0.1 * variance[ch] * m / (m - 1), runningVar[ch], 1e-5, $"running var {ch}");
        }
    }

    [Fact]
    public void BatchNormTrainingNeedsMoreThanOneValuePerChannel()
    {
        Assert.Throws<ArgumentException>(() => Ops.BatchNorm(Tensor.Zeros(1, 3), null, null, null, null, training: true));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LayerNormMatchesReference(bool affine)
    {
        var rng = new Random(affine ? 1 : 2);
        var x = Random(rng, 2f, 2, 3, 5);
        var gamma = Random(rng, 1f, 5);
        var beta = Random(rng, 1f, 5);
        if (affine)
        {
            GradCheck.Run(t => Ops.LayerNorm(t[0], t[1], t[2]),
            v => NaiveReference.LayerNorm(v[0], 5, v[1], v[2], 1e-5),
            [x, gamma, beta]);
        }
        else
        {
            GradCheck.Run(t => Ops.LayerNorm(t[0], null, null),
            v => NaiveReference.LayerNorm(v[0], 5, null, null, 1e-5),
            [x]);
        }
    }

    [Fact]
    public void LayerNormParameterGradientsAreSummedDeterministicallyOverManyRows()
    {
        // Large enough to use per-chunk partial sums for gamma/beta gradients.
        var rng = new Random(3);
        var x = Random(rng, 1f, 1100, 64);
        var gamma = Random(rng, 1f, 64);
        var beta = Random(rng, 1f, 64);
        var seed = Tensor.RandUniform(rng, -1, 1, 1100, 64);
        Ops.LayerNorm(x, gamma, beta).Backward(seed);
        // dbeta is simply the column sum of the seed.
        var s = seed.ToArray();
        for (int j = 0; j < 64; j++)
        {
            double sum = 0;
            for (int r = 0; r < 1100; r++) sum += s[r * 64 + j];
            AssertClose(sum, beta.Grad![j], 1e-4, $"dbeta[{j}]");
        }
    }
}
