using MixQ.Tensors;
using static MixQ.Tensors.Tests.Approx;

namespace MixQ.Tensors.Tests;

public class ActivationTests
{
    [Fact]
    public void Relu6MatchesReference()
    {
        var x = Tensor.RandUniform(new Random(1), -3, 9, 4, 7);
        x.RequiresGrad = true;
        GradCheck.Run(t => Ops.Relu6(t[0]),
            v => v[0].Select(a => Math.Min(Math.Max(a, 0), 6)).ToArray(),
            [x]);
    }

    [Fact]
    public void LeakyReluMatchesReference()
    {
        var x = Random(new Random(2), 3f, 5, 7);
        GradCheck.Run(t => Ops.LeakyRelu(t[0], 0.2f),
            v => v[0].Select(a => a > 0 ? a : 0.2 * a).ToArray(),
            [x]);
    }

    [Fact]
    public void GeluMatchesTheTanhFormula()
    {
        // 37 elements: both vector widths and a scalar tail; range covers the saturated tails.
        var x = Random(new Random(3), 6f, 37);
        GradCheck.Run(t => Ops.Gelu(t[0]),
            v => v[0].Select(NaiveReference.GeluTanh).ToArray(),
            new GradCheck.Options { GradRelTol = 1e-3 }, [x]);
    }

    [Fact]
    public void GeluSaturatesWithoutNaN()
    {
        var y = Ops.Gelu(Tensor.FromArray([-1000f, -60f, 60f, 1000f])).ToArray();
        Assert.Equal([0f, 0f, 60f, 1000f], y.Select(v => MathF.Abs(v) < 1e-20f ? 0f : v));
    }

    [Fact]
    public void SoftmaxMatchesReference()
    {
        var x = Random(new Random(4), 3f, 3, 5);
        GradCheck.Run(t => Ops.Softmax(t[0]),
            v => NaiveReference.Softmax(v[0], 5, log: false),
            [x]);
    }

    [Fact]
    public void SoftmaxAlongTheFirstAxis()
    {
        var x = Random(new Random(5), 3f, 4, 3);
        GradCheck.Run(t => Ops.Softmax(t[0], 0),
            v => Transpose(NaiveReference.Softmax(Transpose(v[0], 4, 3), 4, log: false), 3, 4),
            [x]);
    }

    [Fact]
    public void LogSoftmaxMatchesReference()
    {
        var x = Random(new Random(6), 3f, 2, 3, 4);
        GradCheck.Run(t => Ops.LogSoftmax(t[0]),
            v => NaiveReference.Softmax(v[0], 4, log: true),
            [x]);
    }

    [Fact]
    public void SoftmaxOfHugeLogitsDoesNotOverflow()
    {
        var x = Tensor.FromArray([1e4f, 1e4f + 1f, -1e4f, 3e38f, -3e38f, 0f], 2, 3);
        var p = Ops.Softmax(x).ToArray();
        var log = Ops.LogSoftmax(x).ToArray();
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        AssertClose(1 / (1 + Math.E), p[0], 1e-6, "p0");
        AssertClose(-Math.Log(1 + Math.E), log[0], 1e-6, "log p0");
        Assert.Equal(1f, p[3]);
        Assert.True(float.IsFinite(log[5]));
    }

    private static double[] Transpose(double[] a, int rows, int cols)
    {
        var r = new double[a.Length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) r[j * rows + i] = a[i * cols + j];
        return r;
    }
}
