namespace MixQ.Tensors.Kernels;

/// <summary>
/// Deterministic data parallelism over a batch. Work is cut into chunks whose boundaries depend only on the
/// item count and the chunk count, never on the thread count or on timing; per-chunk partial results (for
/// example weight gradients) are then reduced in chunk order. So a run with 1 thread and a run with 8 threads
/// produce bit-identical results.
/// </summary>
public static class BatchParallel
{
    /// <summary>
    /// How many chunks reductions over a batch use (at most; fewer when the batch is smaller). Fixed, so the
    /// floating-point summation order is the same on every run; 8 keeps 8 cores busy while bounding the
    /// memory for per-chunk gradient accumulators to 8 copies of a weight tensor.
    /// </summary>
    public const int ReductionChunks = 8;

    private static int _maxDegree = Environment.ProcessorCount;

    /// <summary>Upper bound on worker threads for batch-parallel kernels (1 = run on the calling thread).</summary>
    public static int MaxDegreeOfParallelism
    {
        get => _maxDegree;
        set => _maxDegree = value < 1 ? throw new ArgumentOutOfRangeException(nameof(value), "need at least one thread") : value;
    }

    /// <summary>First item of chunk <paramref name="chunk"/> when <paramref name="count"/> items are cut into <paramref name="chunks"/>.</summary>
    public static int ChunkStart(int count, int chunks, int chunk) => (int)((long)count * chunk / chunks);

    /// <summary>
    /// Runs <paramref name="body"/>(chunk, start, end) for each of <paramref name="chunks"/> contiguous ranges of
    /// [0, <paramref name="count"/>), in parallel when allowed. Chunks must write disjoint outputs.
    /// </summary>
    public static void For(int count, int chunks, Action<int, int, int> body)
    {
        chunks = Math.Max(1, Math.Min(chunks, count));
        if (chunks == 1 || _maxDegree == 1)
        {
            for (int k = 0; k < chunks; k++) body(k, ChunkStart(count, chunks, k), ChunkStart(count, chunks, k + 1));
            return;
        }
        // On the GEMM threads when they are free: they spin for a while after each product, so a pass between two
        // GEMMs (an activation, a quantizer) starts at once instead of waking thread-pool workers that then compete
        // with the spinning GEMM threads for the same cores. Chunks are claimed one by one by whoever is running.
        if (ChunkJob.TryRun(count, chunks, body)) return;
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxDegree };
        Parallel.For(0, chunks, options, k => body(k, ChunkStart(count, chunks, k), ChunkStart(count, chunks, k + 1)));
    }

    /// <summary>A <see cref="For"/> as a GEMM worker job (see <see cref="GemmWorkers"/>).</summary>
    private sealed class ChunkJob : GemmJob
    {
        [ThreadStatic] private static ChunkJob? _cached;
        private int _count, _chunks, _next;
        private Action<int, int, int>? _body;

        /// <summary>Runs every chunk on this thread and the GEMM workers; false (nothing run) when they are taken.</summary>
        public static bool TryRun(int count, int chunks, Action<int, int, int> body)
        {
            // Not from inside a job (a worker, or a body that nests a For): GemmWorkers serves one caller at a time.
            if (_running) return false;
            var job = _cached ?? new ChunkJob();
            _cached = null;
            job._count = count;
            job._chunks = chunks;
            job._next = 0;
            job._body = body;
            _running = true;
            try
            {
                if (!GemmWorkers.TryRun(job, Math.Min(_maxDegree, chunks) - 1)) return false;
            }
            finally
            {
                _running = false;
                job._body = null;
                _cached = job;
            }
            return true;
        }

        [ThreadStatic] private static bool _running;

        public override void Execute()
        {
            var body = _body!;
            bool outer = _running;
            _running = true; // a worker thread must not start a nested job either
            try
            {
                int k;
                while ((k = Interlocked.Increment(ref _next) - 1) < _chunks)
                    body(k, ChunkStart(_count, _chunks, k), ChunkStart(_count, _chunks, k + 1));
            }
            finally
            {
                _running = outer;
            }
        }
    }

    /// <summary>
    /// Chunk count for work with no cross-chunk reduction: enough to balance the threads, but no chunk smaller
    /// than <paramref name="minItemsPerChunk"/> items so tiny tensors stay on the calling thread.
    /// </summary>
    public static int ChunksFor(int count, int minItemsPerChunk)
    {
        int byGrain = Math.Max(1, count / Math.Max(1, minItemsPerChunk));
        return Math.Min(byGrain, _maxDegree * 4);
    }
}
