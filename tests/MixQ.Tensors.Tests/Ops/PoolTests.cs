using MixQ.Tensors;
using static MixQ.Tensors.Tests.Approx;

namespace MixQ.Tensors.Tests;

public class PoolTests
{
    [Theory]
    [InlineData(2, 2, 0, 5, 7)]
    [InlineData(3, 2, 1, 7, 6)]
    [InlineData(3, 1, 1, 4, 5)]
    [InlineData(2, 1, 0, 3, 3)]
    [InlineData(2, 2, 0, 4, 36)]   // wide rows: the vectorised 2x2 path
    public void MaxPoolMatchesReference(int k, int stride, int pad, int h, int w)
    {
        var x = Random(new Random(k * 31 + stride * 7 + pad + h), 1f, 2, 3, h, w);
        GradCheck.Run(t => Ops.MaxPool2d(t[0], k, stride, pad),
            v => NaiveReference.Pool(v[0], [2, 3, h, w], k, stride, pad, max: true),
            [x]);
    }

    [Theory]
    [InlineData(2, 2, 0, 5, 7, true)]
    [InlineData(3, 2, 1, 7, 6, true)]
    [InlineData(3, 2, 1, 7, 6, false)]
    [InlineData(3, 1, 1, 4, 5, false)]
    public void AvgPoolMatchesReference(int k, int stride, int pad, int h, int w, bool countPad)
    {
        var x = Random(new Random(k * 31 + stride * 7 + pad + h), 1f, 2, 3, h, w);
        GradCheck.Run(t => Ops.AvgPool2d(t[0], k, stride, pad, countPad),
            v => NaiveReference.Pool(v[0], [2, 3, h, w], k, stride, pad, max: false, countPad),
            [x]);
    }

    [Fact]
    public void GlobalAvgPoolAveragesEachPlane()
    {
        var x = Random(new Random(5), 1f, 3, 4, 3, 5);
        GradCheck.Run(t => Ops.GlobalAvgPool2d(t[0]),
            v => PlaneMeans(v[0], 12, 15),
            [x]);
        Assert.Equal([3, 4], Ops.GlobalAvgPool2d(x).ShapeArray());
    }

    [Fact]
    public void MaxPoolGradientGoesOnlyToTheWinner()
    {
        var x = Tensor.FromArray([1, 5, 2, 3, 0, 9, 4, 4, 8], 1, 1, 3, 3);
        x.RequiresGrad = true;
        var y = Ops.MaxPool2d(x, 2, 1);
        Assert.Equal([5f, 9f, 4f, 9f], y.ToArray());
        y.Backward(Tensor.Ones(1, 1, 2, 2));
        // The tie between the two 4s goes to the first in row-major order, like PyTorch.
        Assert.Equal([0f, 1, 0, 0, 0, 2, 1, 0, 0], x.Grad!.ToArray());
    }

    [Fact]
    public void PoolingRejectsPaddingWiderThanHalfTheKernel()
    {
        Assert.Throws<ArgumentException>(() => Ops.MaxPool2d(Tensor.Zeros(1, 1, 4, 4), 2, 2, 2));
    }

    private static double[] PlaneMeans(double[] x, int planes, int size)
    {
        var r = new double[planes];
        for (int p = 0; p < planes; p++) r[p] = x.Skip(p * size).Take(size).Average();
        return r;
    }
}
