namespace MixQ.Tensors.Kernels;

/// <summary>
/// One pinned SGEMM problem, C[m x n] = alpha * op(A) * op(B) + beta * C, row-major with row strides.
/// The pointers stay valid for as long as the public entry point keeps its spans fixed.
/// </summary>
internal unsafe struct GemmOperands
{
    public float* A;
    public nint Lda;
    public bool TransA;
    public float* B;
    public nint Ldb;
    public bool TransB;
    public float* C;
    public nint Ldc;
    public int M;
    public int N;
    public int K;
    public float Alpha;
    public float Beta;

    /// <summary>C is stored transposed: element (i, j) lives at C + j * Ldc + i (see <see cref="Transposed"/>).</summary>
    public bool TransC;

    /// <summary>Address of op(A)[i, p].</summary>
    public readonly float* AAt(int i, int p) => TransA ? A + p * Lda + i : A + i * Lda + p;

    /// <summary>Address of op(B)[p, j].</summary>
    public readonly float* BAt(int p, int j) => TransB ? B + j * Ldb + p : B + p * Ldb + j;

    public readonly float* CAt(int i, int j) => TransC ? C + j * Ldc + i : C + i * Ldc + j;

    /// <summary>
    /// The same product as C^T = op(B)^T op(A)^T: m and n swap, the old B becomes the new A (with its transpose
    /// flag flipped, because op(B)^T reads B the other way round), and C is written transposed.
    /// </summary>
    public readonly GemmOperands Transposed() => new()
    {
        A = B, Lda = Ldb, TransA = !TransB,
        B = A, Ldb = Lda, TransB = !TransA,
        C = C, Ldc = Ldc, TransC = !TransC,
        M = N, N = M, K = K, Alpha = Alpha, Beta = Beta,
    };
}
