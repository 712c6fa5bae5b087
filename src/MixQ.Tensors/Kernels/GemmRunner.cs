using System.Buffers;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Chooses how many workers a problem deserves and how to split C among them, then runs the blocked driver.
/// Rows are split when there are enough of them (workers then share one packed copy of B); otherwise columns
/// are split in whole slivers (each worker packs its own B columns and, redundantly but cheaply, the small A).
/// </summary>
internal static unsafe class GemmRunner<TKernel> where TKernel : struct, IGemmKernel
{
    /// <summary>Columns per claim unit of the shared packed B.</summary>
    private const int GroupSlivers = 4;

    [ThreadStatic] private static ParallelJob? _job;

    public static void Run(in GemmOperands op, int threads)
    {
        if (UseDotProducts(op))
        {
            GemmDotKernel.Run(op);
            return;
        }
        var plan = new GemmPlan(op, TKernel.MaxRows, TKernel.Width);
        int workers = ChooseWorkers(op, threads);
        if (workers > 1 && TryRunParallel(op, plan, workers)) return;
        GemmDriver<TKernel>.RunRegion(op, plan, 0, op.M, 0, op.N, null);
    }

    /// <summary>
    /// A * B^T with few rows and a deep k: dot products beat packing B^T, which would be used only m times.
    /// Decided from the shape alone (never the thread count), so results stay independent of threads.
    /// </summary>
    private static bool UseDotProducts(in GemmOperands op) =>
        typeof(TKernel) == typeof(GemmKernel512) && GemmDotKernel.IsSupported && !op.TransA && op.TransB
        && op.M <= GemmTuning.DotMaxRows && op.K >= GemmTuning.DotMinDepth;

    private static int ChooseWorkers(in GemmOperands op, int threads)
    {
        int workers = threads <= 0 ? Environment.ProcessorCount : Math.Min(threads, Environment.ProcessorCount);
        double flops = 2.0 * op.M * op.N * op.K;
        workers = (int)Math.Min(workers, Math.Max(1, flops / GemmTuning.MinFlopsPerThread));
        int rowSlivers = GemmSlivers.Count(op.M, TKernel.MaxRows), columnSlivers = GemmSlivers.Count(op.N, TKernel.Width);
        return Math.Max(1, Math.Min(workers, Math.Max(rowSlivers, columnSlivers)));
    }

    private static bool TryRunParallel(in GemmOperands op, in GemmPlan plan, int workers)
    {
        int rowSlivers = GemmSlivers.Count(op.M, TKernel.MaxRows), columnSlivers = GemmSlivers.Count(op.N, TKernel.Width);
        bool splitRows = rowSlivers >= 2 * workers || rowSlivers >= columnSlivers;
        var job = _job ??= new ParallelJob();
        job.Op = op;
        job.Plan = plan;
        job.SplitRows = splitRows;
        job.Workers = workers;
        float[]? packed = null;
        int[]? state = null;
        try
        {
            if (!splitRows) return GemmWorkers.TryRun(job, workers);

            int paddedN = GemmSlivers.RoundUp(op.N, TKernel.Width);
            int groupColumns = GroupSlivers * TKernel.Width;
            int groups = GemmSharedB.GroupCount(op.N, groupColumns);
            int panels = (op.K + plan.KC - 1) / plan.KC;
            packed = ArrayPool<float>.Shared.Rent(op.K * paddedN + 16);
            state = ArrayPool<int>.Shared.Rent(panels * groups);
            Array.Clear(state, 0, panels * groups);
            fixed (float* packedPtr = packed)
            fixed (int* statePtr = state)
            {
                job.Shared = new GemmSharedB
                {
                    Packed = GemmScratch.Align(packedPtr), State = statePtr, PaddedN = paddedN, GroupColumns = groupColumns, GroupsPerPanel = groups,
                };
                return GemmWorkers.TryRun(job, workers);
            }
        }
        finally
        {
            job.Shared = default;
            if (packed != null) ArrayPool<float>.Shared.Return(packed);
            if (state != null) ArrayPool<int>.Shared.Return(state);
        }
    }

    private sealed class ParallelJob : GemmJob
    {
        public GemmOperands Op;
        public GemmPlan Plan;
        public GemmSharedB Shared;
        public bool SplitRows;
        public int Workers;

        public override void Execute(int worker)
        {
            if (SplitRows)
            {
                // Even row ranges: slivers inside each range are split evenly too, so no worker gets a thin tail.
                int start = (int)((long)Op.M * worker / Workers), end = (int)((long)Op.M * (worker + 1) / Workers);
                fixed (GemmSharedB* shared = &Shared)
                    GemmDriver<TKernel>.RunRegion(Op, Plan, start, end, 0, Op.N, shared);
            }
            else
            {
                int slivers = GemmSlivers.Count(Op.N, TKernel.Width);
                int start = Math.Min(Op.N, slivers * worker / Workers * TKernel.Width);
                int end = Math.Min(Op.N, slivers * (worker + 1) / Workers * TKernel.Width);
                GemmDriver<TKernel>.RunRegion(Op, Plan, 0, Op.M, start, end, null);
            }
        }
    }
}
