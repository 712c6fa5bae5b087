using MixQ.Tensors.Kernels;
using static MixQ.Tensors.Tests.Fused.ReferenceGradientCheck;

namespace MixQ.Tensors.Tests.Fused;

/// <summary>Vectorised kernels against their scalar twins (odd lengths hit every vector width and the tail).</summary>
public class KernelTwinTests
{
    public static TheoryData<int> Lengths => new() { 1, 7, 15, 17, 33, 100, 1023 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ElementwiseKernelsMatchTheirScalarTwins(int length)
    {
        var rng = new Random(length);
        var x = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 16 - 5)).ToArray();
        var g = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        Compare(new Relu6GradKernel(), x, g, exact: true);
        Compare(new LeakyReluKernel(0.1f), x, g, exact: true);
        Compare(new LeakyReluGradKernel(0.1f), x, g, exact: true);
        Compare(new ScaleShiftKernel(1.5f, -0.25f), x, g, exact: true);
        Compare(new GeluKernel(), x, g, exact: false);
        Compare(new GeluGradKernel(), x, g, exact: false);
    }

    private static void Compare<T>(T kernel, float[] x, float[] g, bool exact) where T : struct, IElementwiseKernel
    {
        var vector = new float[x.Length];
        var scalar = new float[x.Length];
        Elementwise.Apply(kernel, x, g, vector);
        Elementwise.ApplyScalar(kernel, x, g, scalar);
        if (exact) Assert.Equal(scalar, vector);
        else for (int i = 0; i < x.Length; i++) AssertClose(scalar[i], vector[i], 1e-6, $"{typeof(T).Name}[{i}]");
    }

    [Theory]
    [InlineData(3, 7, 5, 3, 3, 2, 1, 1, 0)]
    [InlineData(2, 6, 6, 3, 2, 1, 2, 1, 1)]
    [InlineData(1, 5, 9, 1, 4, 3, 1, 0, 2)]
    [InlineData(2, 4, 4, 2, 2, 2, 2, 0, 0)]
    public void Im2ColMatchesItsDefinitionAndCol2ImIsItsTranspose(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var geo = new Conv2dGeometry(c, h, w, kh, kw, sh, sw, ph, pw);
        var rng = new Random(c + h + w);
        var image = Enumerable.Range(0, c * h * w).Select(_ => (float)rng.NextDouble()).ToArray();
        var col = new float[geo.ColRows * geo.ColCols];
        Array.Fill(col, float.NaN);   // every entry must be written
        Im2Col.Expand(image, geo, col);
        for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < kh; i++)
        for (int j = 0; j < kw; j++)
        for (int oh = 0; oh < geo.OutH; oh++)
        for (int ow = 0; ow < geo.OutW; ow++)
        {
            int ih = oh * sh - ph + i, iw = ow * sw - pw + j;
            float expected = ih < 0 || ih >= h || iw < 0 || iw >= w ? 0f : image[(ch * h + ih) * w + iw];
            Assert.Equal(expected, col[((ch * kh + i) * kw + j) * geo.ColCols + oh * geo.OutW + ow]);
        }

        // Adjoint: <col2im(u), image> == <u, im2col(image)> for any u.
        var u = Enumerable.Range(0, col.Length).Select(_ => (float)rng.NextDouble()).ToArray();
        var back = new float[image.Length];
        Im2Col.Accumulate(u, geo, back);
        double left = back.Zip(image, (a, b) => (double)a * b).Sum();
        double right = u.Zip(col, (a, b) => (double)a * b).Sum();
        AssertClose(right, left, 1e-5, "adjoint");
    }
}
