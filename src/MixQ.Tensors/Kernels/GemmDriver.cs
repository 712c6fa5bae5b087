using System.Runtime.CompilerServices;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// The blocked loop nest around a micro-kernel (Goto/BLIS style): for each NC block of columns, for each KC
/// panel of k, pack op(B) once; for each MC block of rows pack op(A); then sweep micro-tiles.
/// A packed A sliver (MR x KC) is reused against every B sliver of the block, so it stays in L1.
/// </summary>
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmKernel
{
    /// <summary>Computes the rows [rowStart, rowEnd) x columns [colStart, colEnd) of C on the calling thread.</summary>
    /// <param name="shared">Packed B shared by all workers, or null to pack privately.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunRegion(in GemmOperands op, in GemmPlan plan, int rowStart, int rowEnd, int colStart, int colEnd,
        GemmSharedB* shared)
    {
        if (rowStart >= rowEnd || colStart >= colEnd) return;
        int width = TKernel.Width;
        float* packedA = GemmScratch.ForA(Math.Min(plan.MC, rowEnd - rowStart) * plan.KC);
        int bColumns = plan.DirectB ? width : Math.Min(plan.NC, GemmSlivers.RoundUp(colEnd - colStart, width));
        float* bScratch = shared != null ? null : GemmScratch.ForB(plan.KC * bColumns);
        for (int jc = colStart; jc < colEnd; jc += plan.NC)
        {
            int nc = Math.Min(plan.NC, colEnd - jc);
            for (int pc = 0, pcIndex = 0; pc < op.K; pc += plan.KC, pcIndex++)
            {
                int kc = Math.Min(plan.KC, op.K - pc);
                float beta = pc == 0 ? op.Beta : 1f;
                float* packedB = PrepareB(op, plan, jc, nc, pc, pcIndex, kc, shared, bScratch);
                for (int ic = rowStart; ic < rowEnd; ic += plan.MC)
                {
                    int mc = Math.Min(plan.MC, rowEnd - ic);
                    GemmPacking.PackA(op, ic, mc, pc, kc, TKernel.MaxRows, packedA);
                    MacroKernel(op, ic, mc, jc, nc, pc, kc, beta, packedA, packedB, bScratch);
                }
            }
        }
    }

    /// <summary>
    /// Returns the packed KC x NC block of op(B), or null when B is read in place (then only a ragged last
    /// sliver, which cannot be loaded as whole vectors without running past the row, goes to scratch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float* PrepareB(in GemmOperands op, in GemmPlan plan, int jc, int nc, int pc, int pcIndex, int kc,
        GemmSharedB* shared, float* scratch)
    {
        if (shared != null) return shared->Ensure<TKernel>(op, pc, pcIndex, kc, jc, nc);
        if (!plan.DirectB)
        {
            GemmPacking.PackB(op, jc, nc, pc, kc, TKernel.Width, TKernel.Lanes, scratch);
            return scratch;
        }
        int ragged = nc % TKernel.Width;
        if (ragged % TKernel.Lanes != 0)
            GemmPacking.PackB(op, jc + nc - ragged, ragged, pc, kc, TKernel.Width, TKernel.Lanes, scratch);
        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel(in GemmOperands op, int ic, int mc, int jc, int nc, int pc, int kc, float beta,
        float* packedA, float* packedB, float* edgeB)
    {
        int width = TKernel.Width, lanes = TKernel.Lanes;
        float* tile = stackalloc float[op.TransC ? TKernel.MaxRows * width : 0];
        int count = GemmSlivers.Count(mc, TKernel.MaxRows);
        for (int s = 0; s < count; s++)
        {
            var (start, rows) = GemmSlivers.Get(mc, count, s);
            float* a = packedA + start * kc;
            for (int c0 = 0; c0 < nc; c0 += width)
            {
                int columns = Math.Min(width, nc - c0);
                int stride = GemmSlivers.RoundUp(columns, lanes);
                float* b;
                nint bStride;
                if (packedB != null) { b = packedB + c0 * kc; bStride = stride; }
                else if (columns == stride) { b = op.BAt(pc, jc + c0); bStride = op.Ldb; }
                else { b = edgeB; bStride = stride; }

                float* c = op.CAt(ic + start, jc + c0);
                if (!op.TransC)
                {
                    TKernel.Run(rows, stride / lanes, columns, kc, a, rows, b, bStride, c, op.Ldc, op.Alpha, beta);
                }
                else
                {
                    TKernel.Run(rows, stride / lanes, columns, kc, a, rows, b, bStride, tile, width, 1f, 0f);
                    StoreTransposed(tile, width, rows, columns, c, op.Ldc, op.Alpha, beta);
                }
            }
        }
    }

    /// <summary>
    /// Writes a tile of C^T into C: tile row r is column r of C. Uses the kernels' rounding,
    /// alpha * acc + beta * C as one fused multiply-add, and never reads C when beta is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreTransposed(float* tile, int tileStride, int rows, int columns, float* c, nint ldc, float alpha, float beta)
    {
        for (int i = 0; i < columns; i++)
        {
            float* ci = c + i * ldc;
            if (beta == 0)
                for (int r = 0; r < rows; r++) ci[r] = tile[r * tileStride + i] * alpha;
            else
                for (int r = 0; r < rows; r++) ci[r] = MathF.FusedMultiplyAdd(tile[r * tileStride + i], alpha, ci[r] * beta);
        }
    }
}
