using System.Runtime.CompilerServices;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major spans:
/// C[m x n] = alpha * op(A) * op(B) + beta * C, where op(X) is X or its transpose.
/// A is stored m x k (k x m when transA), B is stored k x n (n x k when transB);
/// lda/ldb/ldc are row strides in elements and may exceed the logical width.
/// </summary>
/// <remarks>
/// Packed, cache-blocked and register-blocked (see <see cref="GemmDriver{TKernel}"/>), with an AVX-512,
/// an AVX2 and a scalar micro-kernel. When beta is 0, C is overwritten without being read. Results are
/// identical for every thread count: threads split C, never k.
/// </remarks>
public static class Gemm
{
    /// <param name="threads">Worker count; 1 runs on the calling thread, 0 means all processors.
    /// Small problems always run on the calling thread.</param>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        int threads = 0) =>
        Sgemm(GemmIsa.Auto, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);

    /// <summary>Same as the public entry point, with the micro-kernel forced (tests cover every path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Sgemm(GemmIsa isa, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (m == 0 || n == 0) return;
        CheckOperand(c.Length, m, n, ldc, nameof(c));
        if (k == 0 || alpha == 0)
        {
            ScaleC(c, m, n, ldc, beta);
            return;
        }
        CheckOperand(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a));
        CheckOperand(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b));

        fixed (float* pa = a, pb = b, pc = c)
        {
            var op = new GemmOperands
            {
                A = pa, Lda = lda, TransA = transA, B = pb, Ldb = ldb, TransB = transB, C = pc, Ldc = ldc,
                M = m, N = n, K = k, Alpha = alpha, Beta = beta,
            };
            if (isa == GemmIsa.Auto)
                isa = GemmKernel512.IsSupported ? GemmIsa.Vector512
                    : GemmKernel256.IsSupported ? GemmIsa.Vector256 : GemmIsa.Scalar;
            switch (isa)
            {
                case GemmIsa.Vector512: GemmRunner<GemmKernel512>.Run(op, threads); break;
                case GemmIsa.Vector256: GemmRunner<GemmKernel256>.Run(op, threads); break;
                default: GemmRunner<GemmKernelScalar>.Run(op, threads); break;
            }
        }
    }

    /// <summary>A rows x cols row-major operand with row stride ld must fit in its span.</summary>
    private static void CheckOperand(int length, int rows, int cols, int ld, string name)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException(name, $"leading dimension {ld} is smaller than the row width {cols}");
        if (rows > 0 && cols > 0 && (long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"span of {length} elements is too small for a {rows} x {cols} matrix with leading dimension {ld}", name);
    }

    /// <summary>C = beta * C (an empty product); beta == 0 clears without reading, so NaN garbage is discarded.</summary>
    private static void ScaleC(Span<float> c, int m, int n, int ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
