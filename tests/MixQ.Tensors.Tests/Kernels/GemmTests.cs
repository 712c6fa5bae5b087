using MixQ.Tensors.Kernels;

namespace MixQ.Tensors.Tests.Kernels;

public class GemmTests
{
    /// <summary>Every micro-kernel this machine can run (the public API picks the widest).</summary>
    public static TheoryData<string> Isas()
    {
        var data = new TheoryData<string> { nameof(GemmIsa.Scalar) };
        if (GemmKernel512.IsSupported) data.Add(nameof(GemmIsa.Vector512));
        if (GemmKernel256.IsSupported) data.Add(nameof(GemmIsa.Vector256));
        return data;
    }

    private sealed record Case(bool TransA, bool TransB, int M, int N, int K, float Alpha, float Beta, int PadA, int PadB, int PadC);

    [Theory]
    [MemberData(nameof(Isas))]
    public void RandomSmallShapesMatchDoubleReference(string isaName)
    {
        var isa = Enum.Parse<GemmIsa>(isaName);
        var rng = new Random(1234);
        float[] alphas = [1f, -0.5f, 2.25f];
        float[] betas = [0f, 1f, -0.75f];
        for (int t = 0; t < 100; t++)
        {
            var c = new Case(rng.Next(2) == 1, rng.Next(2) == 1, rng.Next(0, 71), rng.Next(0, 71), rng.Next(0, 71),
                alphas[rng.Next(alphas.Length)], betas[rng.Next(betas.Length)], rng.Next(0, 4), rng.Next(0, 4), rng.Next(0, 4));
            Check(isa, c, rng, threads: 1);
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void AllTransposeCombinationsWithPaddedLeadingDimensions(string isaName)
    {
        var isa = Enum.Parse<GemmIsa>(isaName);
        var rng = new Random(99);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (float beta in new[] { 0f, 0.5f })
                    Check(isa, new Case(ta, tb, 37, 45, 29, 1.5f, beta, 5, 3, 7), rng, threads: 1);
    }

    [Theory]
    [InlineData(144, 33, 256)]   // exactly one MC block and one KC panel
    [InlineData(145, 31, 257)]   // one row and one k past the blocks
    [InlineData(13, 1057, 40)]   // columns past NC with a ragged last sliver; few rows (B read in place)
    [InlineData(150, 40, 530)]   // several KC panels and MC blocks
    [InlineData(25, 17, 600)]    // skinny output, deep k
    [InlineData(1, 1, 1)]
    [InlineData(150, 10, 70)]    // few columns: computed as C^T = op(B)^T op(A)^T and stored transposed
    public void SizesCrossingBlockBoundaries(int m, int n, int k)
    {
        var rng = new Random(m * 7919 + n * 31 + k);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                Check(GemmIsa.Auto, new Case(ta, tb, m, n, k, 0.75f, ta ? 0f : 1.25f, 1, 2, 3), rng, threads: 1);
    }

    [Theory]
    [InlineData(false, false, 200, 300, 150)]  // rows split, B packed once and shared
    [InlineData(true, true, 200, 300, 150)]
    [InlineData(false, true, 20, 2000, 200)]   // few rows: columns split
    [InlineData(true, false, 20, 2000, 200)]
    [InlineData(false, false, 3000, 7, 200)]   // few columns: the transposed problem, split by its columns
    public void TwoThreadsGiveBitIdenticalResults(bool transA, bool transB, int m, int n, int k)
    {
        var rng = new Random(7);
        var c = new Case(transA, transB, m, n, k, 1f, 0.5f, 3, 1, 2);
        var (a, b, c0) = Operands(c, rng);
        float[] one = (float[])c0.Clone(), two = (float[])c0.Clone();
        Run(GemmIsa.Auto, c, a, b, one, threads: 1);
        Run(GemmIsa.Auto, c, a, b, two, threads: 2);
        Assert.Equal(one, two);
        AssertClose(c, a, b, c0, one);
    }

    [Fact]
    public void EmptyProductScalesCAndBetaZeroDiscardsNaN()
    {
        float[] c = [float.NaN, 2f, 3f, float.NaN];
        Gemm.Sgemm(false, false, 1, 3, 0, 1f, [], 1, [], 3, 0f, c, 3);
        Assert.Equal([0f, 0f, 0f, float.NaN], c);

        float[] d = [1f, 2f, 4f, 8f];
        Gemm.Sgemm(false, false, 2, 2, 2, 0f, [float.NaN, 1, 1, 1], 2, [1, 1, 1, 1], 2, 0.5f, d, 2);
        Assert.Equal([0.5f, 1f, 2f, 4f], d);
    }

    [Theory]
    [InlineData(false, false, 64, 96, 80)]   // packed A and B
    [InlineData(false, true, 6, 25, 784)]    // dot-product path
    [InlineData(true, false, 128, 10, 128)]  // transposed (narrow) path
    public void SteadyStateCallsDoNotAllocate(bool transA, bool transB, int m, int n, int k)
    {
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;
        Gemm.Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, threads: 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) Gemm.Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, threads: 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void HandComputedProduct()
    {
        // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]; C = 2 * that + 1 * C.
        float[] c = [1, 1, 1, 1];
        Gemm.Sgemm(false, false, 2, 2, 2, 2f, [1, 2, 3, 4], 2, [5, 6, 7, 8], 2, 1f, c, 2);
        Assert.Equal([39f, 45f, 87f, 101f], c);
    }

    [Fact]
    public void RejectsSpansTooSmallForTheirShape()
    {
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 2, 2, 2, 1f, new float[4], 1, new float[4], 2, 0f, new float[4], 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 2, 3, 2, 1f, new float[4], 2, new float[5], 2, 0f, new float[6], 3));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 9)]
    [InlineData(12, 17)]
    [InlineData(32, 33)]
    [InlineData(31, 8)]
    public void PackingPrimitivesMatchScalarDefinition(int width, int kc)
    {
        var rng = new Random(width * 100 + kc);
        const int ld = 41, padTo = 40;
        float[] src = RandomArray(rng, Math.Max(width, kc) * ld + ld);
        var copied = new float[kc * padTo];
        var transposed = new float[kc * padTo];
        Array.Fill(copied, float.NaN);
        Array.Fill(transposed, float.NaN);
        unsafe
        {
            fixed (float* s = src, d1 = copied, d2 = transposed)
            {
                GemmPacking.CopyRows(s, ld, width, kc, d1, padTo);
                GemmPacking.TransposeRows(s, ld, width, kc, d2, padTo);
            }
        }
        for (int p = 0; p < kc; p++)
            for (int j = 0; j < padTo; j++)
            {
                Assert.Equal(j < width ? src[p * ld + j] : 0f, copied[p * padTo + j]);
                Assert.Equal(j < width ? src[j * ld + p] : 0f, transposed[p * padTo + j]);
            }
    }

    private static void Check(GemmIsa isa, Case c, Random rng, int threads)
    {
        var (a, b, c0) = Operands(c, rng);
        float[] result = (float[])c0.Clone();
        Run(isa, c, a, b, result, threads);
        AssertClose(c, a, b, c0, result);
    }

    private static (float[] A, float[] B, float[] C) Operands(Case c, Random rng)
    {
        var (aRows, aCols) = c.TransA ? (c.K, c.M) : (c.M, c.K);
        var (bRows, bCols) = c.TransB ? (c.N, c.K) : (c.K, c.N);
        float[] a = RandomArray(rng, aRows * (aCols + c.PadA));
        float[] b = RandomArray(rng, bRows * (bCols + c.PadB));
        float[] cm = RandomArray(rng, c.M * (c.N + c.PadC));
        if (c.Beta == 0) Array.Fill(cm, float.NaN);
        return (a, b, cm);
    }

    private static void Run(GemmIsa isa, Case c, float[] a, float[] b, float[] cm, int threads)
    {
        int lda = (c.TransA ? c.M : c.K) + c.PadA, ldb = (c.TransB ? c.K : c.N) + c.PadB, ldc = c.N + c.PadC;
        Gemm.Sgemm(isa, c.TransA, c.TransB, c.M, c.N, c.K, c.Alpha, a, lda, b, ldb, c.Beta, cm, ldc, threads);
    }

    /// <summary>
    /// Double-precision reference with the standard float error bound for a k-term dot product,
    /// |error| &lt;= (k + 2) * eps * (|alpha| sum |a b| + |beta c|), so a wrong element cannot hide in the tolerance.
    /// </summary>
    private static void AssertClose(Case c, float[] a, float[] b, float[] c0, float[] actual)
    {
        int lda = (c.TransA ? c.M : c.K) + c.PadA, ldb = (c.TransB ? c.K : c.N) + c.PadB, ldc = c.N + c.PadC;
        for (int i = 0; i < c.M; i++)
        {
            for (int j = 0; j < c.N; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < c.K; p++)
                {
                    double av = c.TransA ? a[p * lda + i] : a[i * lda + p];
                    double bv = c.TransB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                    magnitude += Math.Abs(av * bv);
                }
                double prior = c.Beta == 0 ? 0 : c.Beta * (double)c0[i * ldc + j];
                double expected = c.Alpha * sum + prior;
                double tolerance = (c.K + 2) * 1.2e-7 * (Math.Abs(c.Alpha) * magnitude + Math.Abs(prior)) + 1e-30;
                double got = actual[i * ldc + j];
                Assert.True(Math.Abs(got - expected) <= tolerance,
                    $"{c} C[{i},{j}] = {got}, expected {expected} (tolerance {tolerance})");
            }
            // Padding between rows of C must be untouched.
            for (int j = c.N; j < ldc && i < c.M - 1; j++)
                Assert.Equal(c0[i * ldc + j], actual[i * ldc + j]);
        }
    }

    private static float[] RandomArray(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
