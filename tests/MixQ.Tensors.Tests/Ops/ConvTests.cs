using MixQ.Tensors;
using MixQ.Tensors.Kernels;
using static MixQ.Tensors.Tests.Approx;

namespace MixQ.Tensors.Tests;

public class ConvTests
{
    [Theory]
    [InlineData(2, 3, 7, 5, 4, 3, 2, 1, 1, true)]   // stride 2, padding 1, odd sizes
    [InlineData(1, 2, 6, 6, 3, 3, 1, 1, 1, false)]  // "same" 3x3 without bias
    [InlineData(2, 4, 5, 3, 6, 1, 1, 0, 1, true)]   // 1x1 fast path (no im2col)
    [InlineData(2, 3, 5, 7, 2, 1, 2, 0, 1, true)]   // 1x1 but strided: goes through im2col
    [InlineData(2, 4, 6, 5, 4, 3, 1, 1, 2, true)]   // grouped
    [InlineData(1, 3, 5, 5, 3, 3, 2, 1, 3, true)]   // depthwise
    [InlineData(2, 2, 4, 5, 3, 2, 2, 0, 1, true)]   // even kernel
    [InlineData(1, 1, 3, 3, 2, 3, 1, 2, 1, true)]   // padding wider than half the kernel
    [InlineData(2, 2, 16, 16, 3, 3, 1, 1, 1, true)] // 256 output pixels: one sample per GEMM
    [InlineData(2, 2, 16, 17, 3, 1, 1, 0, 1, true)] // ... and the 1x1 fast path reading the image directly
    public void Conv2dMatchesDirectConvolutionAndFiniteDifferences(int n, int c, int h, int w, int oc, int k, int stride, int pad, int groups, bool bias)
    {
        var rng = new Random(n * 1000 + c * 100 + h * 10 + w + k + stride + pad + groups);
        var x = Random(rng, 1f, n, c, h, w);
        var weight = Random(rng, 0.5f, oc, c / groups, k, k);
        var b = Random(rng, 0.5f, oc);
        var inputs = bias ? new[] { x, weight, b } : new[] { x, weight };
        GradCheck.Run(t => Ops.Conv2d(t[0], t[1], bias ? t[2] : null, stride, pad, groups),
            v => NaiveReference.Conv2d(v[0], [n, c, h, w], v[1], [oc, c / groups, k, k], bias ? v[2] : null, stride, pad, groups),
            inputs);
    }

    [Fact]
    public void Conv2dHasTheExpectedOutputShape()
    {
        var y = Ops.Conv2d(Tensor.Zeros(2, 3, 32, 31), Tensor.Zeros(8, 3, 3, 3), null, stride: 2, padding: 1);
        Assert.Equal([2, 8, 16, 16], y.ShapeArray());
    }

    [Fact]
    public void Conv2dOfAnEmptyBatchIsEmptyAndDifferentiable()
    {
        var x = Tensor.Zeros(0, 3, 5, 5);
        x.RequiresGrad = true;
        var w = Tensor.Ones(4, 3, 3, 3);
        w.RequiresGrad = true;
        var y = Ops.Conv2d(x, w, null, 1, 1);
        Assert.Equal([0, 4, 5, 5], y.ShapeArray());
        Ops.Sum(y).Backward();
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Conv2dAcceptsAStridedInputView()
    {
        var rng = new Random(3);
        var nhwc = Random(rng, 1f, 2, 5, 4, 3);              // [N, H, W, C]
        var weight = Random(rng, 0.5f, 2, 3, 3, 3);
        GradCheck.Run(t => Ops.Conv2d(t[0].Permute(0, 3, 1, 2), t[1], null, 1, 1),
            v => NaiveReference.Conv2d(ToNchw(v[0], 2, 5, 4, 3), [2, 3, 5, 4], v[1], [2, 3, 3, 3], null, 1, 1, 1),
            [nhwc, weight]);
    }

    [Theory]
    [InlineData(16, 16, 1)]  // 256-pixel outputs: one sample per GEMM, 11 samples in 8 uneven chunks
    [InlineData(6, 7, 2)]    // 12-pixel outputs: all samples in one GEMM, which then runs multi-threaded
    public void Conv2dBackwardIsBitIdenticalForOneAndTwoThreads(int h, int w, int stride)
    {
        var rng = new Random(11);
        var xData = Tensor.RandUniform(rng, -1, 1, 11, 3, h, w);
        var wData = Tensor.RandUniform(rng, -1, 1, 5, 3, 3, 3);
        var bData = Tensor.RandUniform(rng, -1, 1, 5);
        var seed = Tensor.RandUniform(rng, -1, 1, 11, 5, (h - 1) / stride + 1, (w - 1) / stride + 1);

        (float[] Y, float[] Dx, float[] Dw, float[] Db) RunWith(int threads)
        {
            int saved = BatchParallel.MaxDegreeOfParallelism;
            BatchParallel.MaxDegreeOfParallelism = threads;
            try
            {
                var x = xData.Clone(); x.RequiresGrad = true;
                var w = wData.Clone(); w.RequiresGrad = true;
                var b = bData.Clone(); b.RequiresGrad = true;
                var y = Ops.Conv2d(x, w, b, stride, padding: 1);
                y.Backward(seed);
                return (y.ToArray(), x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray());
            }
            finally
            {
                BatchParallel.MaxDegreeOfParallelism = saved;
            }
        }

        var one = RunWith(1);
        var two = RunWith(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dx, two.Dx);
        Assert.Equal(one.Dw, two.Dw);
        Assert.Equal(one.Db, two.Db);
    }

    [Fact]
    public void Conv2dRejectsMismatchedChannels()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Conv2d(Tensor.Zeros(1, 3, 5, 5), Tensor.Zeros(4, 2, 3, 3)));
        Assert.Contains("input channels", ex.Message);
        Assert.Throws<ArgumentException>(() => Ops.Conv2d(Tensor.Zeros(1, 3, 2, 2), Tensor.Zeros(4, 3, 3, 3)));
        Assert.Throws<ArgumentException>(() => Ops.Conv2d(Tensor.Zeros(1, 3, 5, 5), Tensor.Zeros(4, 3, 3, 3), Tensor.Zeros(3)));
    }

    private static double[] ToNchw(double[] nhwc, int n, int h, int w, int c)
    {
        var r = new double[nhwc.Length];
        for (int s = 0; s < n; s++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int ch = 0; ch < c; ch++)
                        r[((s * c + ch) * h + i) * w + j] = nhwc[((s * h + i) * w + j) * c + ch];
        return r;
    }
}
