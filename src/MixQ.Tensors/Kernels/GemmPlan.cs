namespace MixQ.Tensors.Kernels;

/// <summary>
/// Cache blocking of one problem, shared by every worker so that each element of C sees the same
/// sequence of k blocks (and therefore the same rounding) whatever the thread count.
/// </summary>
internal readonly struct GemmPlan
{
    /// <summary>Depth of a packed panel: A sliver (MR x KC) stays in L1 while B slivers stream past it.</summary>
    public readonly int KC;

    /// <summary>Rows of A packed at once.</summary>
    public readonly int MC;

    /// <summary>Columns of a packed B block (KC x NC lives in L2).</summary>
    public readonly int NC;

    /// <summary>Read op(B) rows in place instead of packing: B is not transposed and has too few rows of C to amortise a copy.</summary>
    public readonly bool DirectB;

    public GemmPlan(in GemmOperands op, int maxRows, int width)
    {
        // Split k evenly (k = 288 becomes 144 + 144, not 256 + 32): a short last panel wastes the kernel's store.
        int kBlocks = Math.Max(1, (op.K + GemmTuning.KC - 1) / GemmTuning.KC);
        KC = (op.K + kBlocks - 1) / kBlocks;
        MC = Math.Max(maxRows, GemmTuning.MC / maxRows * maxRows);
        NC = Math.Max(width, GemmTuning.NC / width * width);
        DirectB = !op.TransB && op.M <= GemmTuning.DirectBMaxRows;
    }
}
