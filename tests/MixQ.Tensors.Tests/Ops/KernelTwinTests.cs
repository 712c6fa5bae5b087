using MixQ.Tensors.Kernels;
using static MixQ.Tensors.Tests.Approx;

namespace MixQ.Tensors.Tests;

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
        Compare(new AffineGradKernel(0.7f, -1.3f, 0.25f), x, g, exact: true);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void CentredReductionsMatchTheirScalarTwins(int length)
    {
        var rng = new Random(length + 100);
        var x = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 4 + 10)).ToArray();
        var g = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float mean = x.Average();
        AssertClose(CenteredReductions.SumSquaredDeviationScalar(x, mean), CenteredReductions.SumSquaredDeviation(x, mean), 1e-5, "sum of squared deviations");
        var (sumG, sumGx) = CenteredReductions.SumAndCentredDot(g, x, mean);
        var (refG, refGx) = CenteredReductions.SumAndCentredDotScalar(g, x, mean);
        AssertClose(refG, sumG, 1e-5, "sum g");
        AssertClose(refGx, sumGx, 1e-5, "sum g (x - mean)");
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
    [InlineData(3, 7, 5, 3, 3, 2, 1, 1, 0, 1)]
    [InlineData(2, 6, 6, 3, 2, 1, 2, 1, 1, 3)]
    [InlineData(1, 5, 9, 1, 4, 3, 1, 0, 2, 2)]
    [InlineData(2, 4, 4, 2, 2, 2, 2, 0, 0, 2)]
    [InlineData(1, 4, 18, 3, 3, 1, 1, 1, 1, 2)]
    [InlineData(2, 5, 40, 3, 3, 2, 2, 1, 1, 2)]
    [InlineData(2, 3, 17, 1, 1, 1, 1, 0, 0, 3)]   // 1x1
    [InlineData(2, 4, 4, 3, 3, 1, 1, 1, 1, 3)]    // 4-pixel rows (vector copy)
    [InlineData(2, 5, 8, 3, 3, 1, 1, 1, 1, 2)]    // 8-pixel rows (vector copy)
    [InlineData(1, 3, 35, 3, 3, 1, 1, 1, 1, 1)]   // 35-pixel rows: 512-bit copies plus a scalar tail
    public void Im2ColMatchesItsDefinitionAndCol2ImIsItsTranspose(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int count)
    {
        var geo = new Conv2dGeometry(c, h, w, kh, kw, sh, sw, ph, pw);
        var rng = new Random(c + h + w);
        int imageSize = c * h * w, width = count * geo.ColCols;
        var images = Enumerable.Range(0, count * imageSize).Select(_ => (float)rng.NextDouble()).ToArray();
        var col = new float[geo.ColRows * width];
        Array.Fill(col, float.NaN);   // every entry must be written
        Im2Col.ExpandBatch(images, count, geo, col);
        for (int s = 0; s < count; s++)
        for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < kh; i++)
        for (int j = 0; j < kw; j++)
        for (int oh = 0; oh < geo.OutH; oh++)
        for (int ow = 0; ow < geo.OutW; ow++)
        {
            int ih = oh * sh - ph + i, iw = ow * sw - pw + j;
            float expected = ih < 0 || ih >= h || iw < 0 || iw >= w ? 0f : images[s * imageSize + (ch * h + ih) * w + iw];
            Assert.Equal(expected, col[((ch * kh + i) * kw + j) * width + s * geo.ColCols + oh * geo.OutW + ow]);
        }

        // Adjoint: <col2im(u), images> == <u, im2col(images)> for any u; col2im adds onto what is there.
        var u = Enumerable.Range(0, col.Length).Select(_ => (float)rng.NextDouble()).ToArray();
        var back = Enumerable.Repeat(1f, images.Length).ToArray();
        Im2Col.AccumulateBatch(u, count, geo, back);
        double left = back.Zip(images, (a, b) => (a - 1.0) * b).Sum();
        double right = u.Zip(col, (a, b) => (double)a * b).Sum();
        AssertClose(right, left, 1e-5, "adjoint");
    }

    [Theory]
    [InlineData(4, 70)]   // 35 outputs per row: two 16-wide vectors and a scalar tail
    [InlineData(5, 21)]   // 10 outputs: one 8-wide vector, tail; odd sizes drop the last row and column
    [InlineData(3, 7)]    // scalar only
    public void MaxPool2x2FastPathMatchesTheGeneralWindowLoop(int h, int w)
    {
        var geo = new Conv2dGeometry(1, h, w, 2, 2, 2, 2, 0, 0);
        var rng = new Random(h * w);
        // Few distinct values force ties; some NaNs must win their windows.
        var plane = Enumerable.Range(0, h * w).Select(_ => rng.Next(20) == 0 ? float.NaN : rng.Next(4)).Select(v => (float)v).ToArray();
        int outputs = geo.OutH * geo.OutW;
        var fast = new float[outputs];
        var fastIdx = new int[outputs];
        var reference = new float[outputs];
        var referenceIdx = new int[outputs];
        Pool2d.MaxForward(plane, geo, fast, fastIdx);
        Pool2d.MaxForwardWindows(plane, geo, reference, referenceIdx);
        Assert.Equal(referenceIdx, fastIdx);
        Assert.Equal(reference, fast);

        // Inference asks for values only (no positions): the same values.
        var valuesOnly = new float[outputs];
        Pool2d.MaxForward(plane, geo, valuesOnly, Span<int>.Empty);
        Assert.Equal(reference, valuesOnly);
    }
}
