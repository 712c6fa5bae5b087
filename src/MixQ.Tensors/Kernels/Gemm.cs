namespace MixQ.Tensors.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major spans:
/// C[m x n] = alpha * op(A) * op(B) + beta * C, where op(X) is X or its transpose.
/// A is m x k (or k x m when <paramref name="transA"/>), B is k x n (or n x k when <paramref name="transB"/>).
/// lda/ldb/ldc are row strides in elements.
/// </summary>
public static class Gemm
{
    /// <param name="threads">Worker count; 1 runs on the calling thread, 0 means all processors.</param>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        int threads = 0)
    {
        // Placeholder: replaced by the packed, blocked SIMD implementation.
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j]);
            }
        }
    }
}
