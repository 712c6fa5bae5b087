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
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxDegree };
        Parallel.For(0, chunks, options, k => body(k, ChunkStart(count, chunks, k), ChunkStart(count, chunks, k + 1)));
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
