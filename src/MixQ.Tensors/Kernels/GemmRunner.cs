using System.Runtime.CompilerServices;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Chooses how many workers a problem deserves and how to split C among them, then runs the blocked driver.
/// Rows are split when there are enough of them (workers then share one packed copy of B); otherwise columns
/// are split in whole slivers (each worker packs its own B columns and, redundantly but cheaply, the small A).
/// </summary>
internal static unsafe class GemmRunner<TKernel> where TKernel : struct, IGemmKernel
{
    /// <summary>
    /// Slivers per claim unit of the shared packed B: one, so that even a single-panel B (k &lt;= KC, n = 128)
    /// is packed by both threads instead of one packing while the other waits.
    /// </summary>
    private const int GroupSlivers = 1;

    [ThreadStatic] private static ParallelJob? _job;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmOperands problem, int threads)
    {
        if (UseDotProducts(problem))
        {
            GemmDotKernel.Run(problem);
            return;
        }
        // Few columns and many rows: the kernel's vectors run along n, so a 10-column product would fill 10 of
        // 16 lanes and need a broadcast per FMA. Computing C^T = op(B)^T op(A)^T puts the long side in the vectors.
        GemmOperands op = problem.N <= GemmTuning.SwapMaxColumns && problem.M >= 2 * GemmTuning.SwapMaxColumns
            ? problem.Transposed() : problem;
        var plan = new GemmPlan(op, TKernel.MaxRows, TKernel.Width);
        int workers = ChooseWorkers(op, threads);
        if (workers > 1 && TryRunParallel(op, plan, workers)) return;
        GemmDriver<TKernel>.RunRegion(op, plan, 0, op.M, 0, op.N, null);
    }

    /// <summary>
    /// A * B^T with few rows and a deep k: dot products beat packing B^T, which would be used only m times.
    /// The dot path runs on the calling thread, so it is kept to per-sample sizes. Decided from the shape alone
    /// (never the thread count), so results stay independent of threads.
    /// </summary>
    private static bool UseDotProducts(in GemmOperands op) =>
        typeof(TKernel) == typeof(GemmKernel512) && GemmDotKernel.IsSupported && !op.TransA && op.TransB
        && op.M <= GemmTuning.DotMaxRows && op.K >= GemmTuning.DotMinDepth
        && 2.0 * op.M * op.N * op.K <= GemmTuning.DotMaxFlops;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ChooseWorkers(in GemmOperands op, int threads)
    {
        int workers = threads <= 0 ? Environment.ProcessorCount : Math.Min(threads, Environment.ProcessorCount);
        double flops = 2.0 * op.M * op.N * op.K;
        workers = (int)Math.Min(workers, Math.Max(1, flops / GemmTuning.MinFlopsPerThread));
        int rowSlivers = GemmSlivers.Count(op.M, TKernel.MaxRows), columnSlivers = GemmSlivers.Count(op.N, TKernel.Width);
        return Math.Max(1, Math.Min(workers, Math.Max(rowSlivers, columnSlivers)));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryRunParallel(in GemmOperands op, in GemmPlan plan, int workers)
    {
        int rowSlivers = GemmSlivers.Count(op.M, TKernel.MaxRows), columnSlivers = GemmSlivers.Count(op.N, TKernel.Width);
        // The shared copy of B holds all of it; past SharedBMaxFloats, workers split columns and pack privately.
        long sharedFloats = (long)op.K * GemmSlivers.RoundUp(op.N, TKernel.Width);
        bool splitRows = (rowSlivers >= 2 * workers || rowSlivers >= columnSlivers) && sharedFloats <= GemmTuning.SharedBMaxFloats;
        var job = _job ??= new ParallelJob();
        job.Op = op;
        job.Plan = plan;
        job.SplitRows = splitRows;
        // At least eight items per worker where there are enough slivers: the last item bounds how long one
        // thread idles at the end, and a core busy with another process simply takes fewer items.
        int slivers = splitRows ? rowSlivers : columnSlivers;
        job.SliversPerItem = Math.Max(1, slivers / (8 * workers));
        job.Items = (slivers + job.SliversPerItem - 1) / job.SliversPerItem;
        job.NextItem = 0;
        if (!splitRows) return GemmWorkers.TryRun(job, workers - 1);

        int paddedN = GemmSlivers.RoundUp(op.N, TKernel.Width);
        int groupColumns = GroupSlivers * TKernel.Width;
        int groups = GemmSharedB.GroupCount(op.N, groupColumns);
        int panels = (op.K + plan.KC - 1) / plan.KC;
        job.Shared = new GemmSharedB
        {
            Packed = GemmScratch.ForSharedB(op.K * paddedN), State = GemmScratch.Claims(panels * groups),
            PaddedN = paddedN, GroupColumns = groupColumns, GroupsPerPanel = groups,
        };
        try
        {
            return GemmWorkers.TryRun(job, workers - 1);
        }
        finally
        {
            job.Shared = default;
            GemmScratch.TrimSharedB();
        }
    }

    /// <summary>
    /// Items are bands of whole slivers: of rows (sharing the packed B) or of columns (each packing its own B).
    /// Every element of C is computed by exactly one item with the plan's k panels, in order.
    /// </summary>
    private sealed class ParallelJob : GemmJob
    {
        public GemmOperands Op;
        public GemmPlan Plan;
        public GemmSharedB Shared;
        public bool SplitRows;
        public int SliversPerItem;
        public int Items;
        public int NextItem;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute()
        {
            int item;
            while ((item = Interlocked.Increment(ref NextItem) - 1) < Items)
            {
                if (SplitRows)
                {
                    int start = Math.Min(Op.M, item * SliversPerItem * TKernel.MaxRows);
                    int end = item == Items - 1 ? Op.M : Math.Min(Op.M, (item + 1) * SliversPerItem * TKernel.MaxRows);
                    fixed (GemmSharedB* shared = &Shared)
                        GemmDriver<TKernel>.RunRegion(Op, Plan, start, end, 0, Op.N, shared);
                }
                else
                {
                    int start = Math.Min(Op.N, item * SliversPerItem * TKernel.Width);
                    int end = item == Items - 1 ? Op.N : Math.Min(Op.N, (item + 1) * SliversPerItem * TKernel.Width);
                    GemmDriver<TKernel>.RunRegion(Op, Plan, 0, Op.M, start, end, null);
                }
            }
        }
    }
}
