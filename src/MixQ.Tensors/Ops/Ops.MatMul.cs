using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

// Matrix products on Gemm.Sgemm. For C = op(A) op(B) with upstream gradient G:
//   d op(A) = G op(B)^T     and     d op(B) = op(A)^T G,
// and when an operand is stored transposed its gradient is the transpose of that, which Sgemm produces
// directly by swapping operand order and flags (no transposed copies are ever made). Outputs and fresh
// gradients start zeroed and are accumulated into with beta = 1, so the GEMM never reads uninitialised memory.
public static partial class Ops
{
    /// <summary>
    /// op(a) op(b), where op transposes the last two axes when asked. Shapes: [M, K] x [K, N] -> [M, N];
    /// batched [B, M, K] x [B, K, N] -> [B, M, N]; a 2-D (or batch-1) right operand is shared by every batch.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (a.Rank == 2 && b.Rank == 2) return MatMul2D(a.Contiguous(), b.Contiguous(), transA, transB);
        if (a.Rank == 3 && (b.Rank == 2 || b.Rank == 3)) return MatMulBatched(a.Contiguous(), b.Contiguous(), transA, transB);
        throw new ArgumentException($"matmul supports 2-D x 2-D and 3-D x 2-D/3-D, got {ShapeUtil.Format(a.Shape)} x {ShapeUtil.Format(b.Shape)}");
    }

    /// <summary>
    /// Fully connected layer y = x w^T + bias for x [..., in], w [out, in], bias [out] -> [..., out], with a fused
    /// backward: dX = dY W, dW = dY^T X, dBias = column sums of dY (leading axes of x are flattened into rows).
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor w, Tensor? bias = null)
    {
        x = x.Contiguous();
        w = w.Contiguous();
        bias = bias?.Contiguous();
        if (w.Rank != 2 || x.Rank < 1 || x.Dim(-1) != w.Dim(1))
            throw new ArgumentException($"linear needs x [..., in] and w [out, in], got {ShapeUtil.Format(x.Shape)} and {ShapeUtil.Format(w.Shape)}");
        int inFeatures = w.Dim(1), outFeatures = w.Dim(0);
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != outFeatures))
            throw new ArgumentException($"linear bias must be [{outFeatures}], got {ShapeUtil.Format(bias.Shape)}");
        int rows = ShapeUtil.Size(x.Shape[..^1]);
        var outShape = x.ShapeArray();
        outShape[^1] = outFeatures;

        // Without a bias the product overwrites (beta 0) an uninitialized result instead of adding to zeros.
        var result = Tensor.Uninitialized(outShape);
        int[] rowsShape = [rows, outFeatures];
        if (bias is not null) Broadcast.Expand(bias.Span, bias.Shape, result.Span, rowsShape);
        Gemm.Sgemm(false, true, rows, outFeatures, inFeatures, 1f, x.Span, inFeatures, w.Span, inFeatures, bias is null ? 0f : 1f,
            result.Span, outFeatures);

        Tensor[] inputs = bias is null ? [x, w] : [x, w, bias];
        return Graph.Record("linear", result, inputs, g =>
        {
            var gs = g.Contiguous().Span;
            if (x.RequiresGrad && x.GradientSupport is { } support)
                Kernels.SparseRowGradient.Accumulate(gs, w.Span, support, outFeatures, inFeatures, GradAccumulator(x));
            // A gradient attached just now is overwritten (beta 0) rather than zeroed and added to: no memset of a
            // weight- or input-sized array per step.
            else if (x.RequiresGrad)
            {
                var gx = GradTarget(x, out bool fresh);
                Gemm.Sgemm(false, false, rows, inFeatures, outFeatures, 1f, gs, outFeatures, w.Span, inFeatures, fresh ? 0f : 1f,
                    gx, inFeatures);
            }
            if (w.RequiresGrad)
            {
                var gw = GradTarget(w, out bool fresh);
                Gemm.Sgemm(true, false, outFeatures, inFeatures, rows, 1f, gs, outFeatures, x.Span, inFeatures, fresh ? 0f : 1f,
                    gw, inFeatures);
            }
            if (bias is not null && bias.RequiresGrad)
                Broadcast.SumToAccumulate(gs, rowsShape, GradAccumulator(bias), bias.Shape);
        });
    }

    private static Tensor MatMul2D(Tensor a, Tensor b, bool transA, bool transB)
    {
        var p = MatrixProduct.Of(a.Dim(0), a.Dim(1), b.Dim(0), b.Dim(1), transA, transB, a.Shape, b.Shape);
        var result = Tensor.Zeros(p.M, p.N);
        p.Forward(a.Span, b.Span, result.Span, threads: 0);
        return Graph.Record("matmul", result, [a, b], g =>
        {
            var gs = g.Contiguous().Span;
            if (a.RequiresGrad) p.GradA(gs, b.Span, GradAccumulator(a), threads: 0);
            if (b.RequiresGrad) p.GradB(gs, a.Span, GradAccumulator(b), threads: 0);
        });
    }

    private static Tensor MatMulBatched(Tensor a, Tensor b, bool transA, bool transB)
    {
        int batch = a.Dim(0);
        bool shared = b.Rank == 2 || b.Dim(0) == 1;
        if (!shared && b.Dim(0) != batch)
            throw new ArgumentException($"matmul batch sizes differ: {ShapeUtil.Format(a.Shape)} x {ShapeUtil.Format(b.Shape)}");
        int b0 = b.Rank == 3 ? 1 : 0;
        var p = MatrixProduct.Of(a.Dim(1), a.Dim(2), b.Dim(b0), b.Dim(b0 + 1), transA, transB, a.Shape, b.Shape);

        if (shared && !transA)
        {
            // [B, M, K] rows are consecutive, so the whole batch is one [B*M, K] x op(B) product: one big GEMM
            // forward and for both gradients (dB = sum over batches of A_b^T G_b = A_flat^T G_flat).
            var flat = p with { M = batch * p.M };
            var flatResult = Tensor.Zeros(batch, p.M, p.N);
            flat.Forward(a.Span, b.Span, flatResult.Span, threads: 0);
            return Graph.Record("matmul", flatResult, [a, b], g =>
            {
                var gs = g.Contiguous().Span;
                if (a.RequiresGrad) flat.GradA(gs, b.Span, GradAccumulator(a), threads: 0);
                if (b.RequiresGrad) flat.GradB(gs, a.Span, GradAccumulator(b), threads: 0);
            });
        }

        int aSize = p.M * p.K, bSize = shared ? 0 : p.K * p.N, cSize = p.M * p.N;
        int bLength = p.K * p.N;
        var result = Tensor.Zeros(batch, p.M, p.N);
        // Batches are independent: parallelise over them with single-threaded GEMMs rather than nest threading.
        Parallel.For(0, batch, i => p.Forward(
            a.Storage.AsSpan(a.Offset + i * aSize, aSize),
            b.Storage.AsSpan(b.Offset + i * bSize, bLength),
            result.Storage.AsSpan(i * cSize, cSize), threads: 1));

        return Graph.Record("matmul", result, [a, b], g =>
        {
            var gc = g.Contiguous();
            if (a.RequiresGrad)
            {
                GradAccumulator(a);
                var dA = a.Grad!;
                Parallel.For(0, batch, i => p.GradA(
                    gc.Storage.AsSpan(gc.Offset + i * cSize, cSize),
                    b.Storage.AsSpan(b.Offset + i * bSize, bLength),
                    dA.Storage.AsSpan(dA.Offset + i * aSize, aSize), threads: 1));
            }
            if (b.RequiresGrad)
            {
                GradAccumulator(b);
                var dB = b.Grad!;
                if (shared)
                {
                    // Every batch adds into the same dB: accumulate sequentially, each GEMM using all threads.
                    for (int i = 0; i < batch; i++)
                        p.GradB(gc.Storage.AsSpan(gc.Offset + i * cSize, cSize), a.Storage.AsSpan(a.Offset + i * aSize, aSize),
                            dB.Storage.AsSpan(dB.Offset, bLength), threads: 0);
                }
                else
                {
                    Parallel.For(0, batch, i => p.GradB(
                        gc.Storage.AsSpan(gc.Offset + i * cSize, cSize),
                        a.Storage.AsSpan(a.Offset + i * aSize, aSize),
                        dB.Storage.AsSpan(dB.Offset + i * bSize, bLength), threads: 1));
                }
            }
        });
    }

    /// <summary>One C[M, N] = op(A) op(B) product with row-major A ([M, K] or [K, M]) and B ([K, N] or [N, K]).</summary>
    private readonly record struct MatrixProduct(int M, int N, int K, bool TransA, bool TransB)
    {
        private int Lda => TransA ? M : K;
        private int Ldb => TransB ? K : N;

        public static MatrixProduct Of(int aRows, int aCols, int bRows, int bCols, bool transA, bool transB,
            ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape)
        {
            int m = transA ? aCols : aRows, k = transA ? aRows : aCols;
            int kb = transB ? bCols : bRows, n = transB ? bRows : bCols;
            if (k != kb)
                throw new ArgumentException($"matmul inner dimensions differ ({k} vs {kb}): {ShapeUtil.Format(aShape)}" +
                    $"{(transA ? "^T" : "")} x {ShapeUtil.Format(bShape)}{(transB ? "^T" : "")}");
            return new MatrixProduct(m, n, k, transA, transB);
        }

        /// <summary>c += op(A) op(B).</summary>
        public void Forward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int threads) =>
            Gemm.Sgemm(TransA, TransB, M, N, K, 1f, a, Lda, b, Ldb, 1f, c, N, threads);

        /// <summary>dA += G op(B)^T, or its transpose (op(B) G^T) when A is stored transposed.</summary>
        public void GradA(ReadOnlySpan<float> g, ReadOnlySpan<float> b, Span<float> dA, int threads)
        {
            if (!TransA) Gemm.Sgemm(false, !TransB, M, K, N, 1f, g, N, b, Ldb, 1f, dA, K, threads);
            else Gemm.Sgemm(TransB, true, K, M, N, 1f, b, Ldb, g, N, 1f, dA, M, threads);
        }

        /// <summary>dB += op(A)^T G, or its transpose (G^T op(A)) when B is stored transposed.</summary>
        public void GradB(ReadOnlySpan<float> g, ReadOnlySpan<float> a, Span<float> dB, int threads)
        {
            if (!TransB) Gemm.Sgemm(!TransA, false, K, N, M, 1f, a, Lda, g, N, 1f, dB, N, threads);
            else Gemm.Sgemm(true, TransA, N, K, M, 1f, g, N, a, Lda, 1f, dB, K, threads);
        }
    }
}
