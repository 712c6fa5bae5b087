using MixQ.Tensors.Kernels;

namespace MixQ.Tensors.Tests.Kernels;

/// <summary>
/// BatchParallel.For runs on the GEMM worker threads when they are free: every chunk must run exactly once with the
/// boundaries the chunk count fixes, also when a chunk body runs a GEMM or a nested For (which must not take over the
/// workers the outer pass is using), and a failing chunk must surface as an exception.
/// </summary>
public sealed class BatchParallelTests
{
    [Fact]
    public void EveryChunkRunsOnceWithItsFixedBoundaries()
    {
        foreach (int count in new[] { 1, 7, 100, 10_000 })
            foreach (int chunks in new[] { 1, 2, 3, 8, 32 })
            {
                int runs = Math.Min(chunks, count);
                var seen = new int[runs];
                var bounds = new (int Start, int End)[runs];
                BatchParallel.For(count, chunks, (k, start, end) =>
                {
                    Interlocked.Increment(ref seen[k]);
                    bounds[k] = (start, end);
                });
                Assert.All(seen, s => Assert.Equal(1, s));
                for (int k = 0; k < runs; k++)
                    Assert.Equal((BatchParallel.ChunkStart(count, runs, k), BatchParallel.ChunkStart(count, runs, k + 1)), bounds[k]);
            }
    }

    [Fact]
    public void ChunksThatRunGemmsOrNestedPassesGiveTheSameResultsAsOneThread()
    {
        var rng = new Random(5);
        var a = Enumerable.Range(0, 64 * 96).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, 96 * 80).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] Run()
        {
            var c = new float[8 * 64 * 80];
            BatchParallel.For(8, 8, (k, _, _) =>
            {
                Gemm.Sgemm(false, false, 64, 80, 96, 1f + k, a, 96, b, 80, 0f, c.AsSpan(k * 64 * 80, 64 * 80), 80);
                // A nested pass over this chunk's output: runs inline or on the thread pool, never on the busy workers.
                var slice = c.AsMemory(k * 64 * 80, 64 * 80);
                BatchParallel.For(64 * 80, 4, (_, start, end) =>
                {
                    var s = slice.Span;
                    for (int i = start; i < end; i++) s[i] = s[i] * 0.5f + k;
                });
            });
            return c;
        }
        var parallel = Run();
        int saved = BatchParallel.MaxDegreeOfParallelism;
        BatchParallel.MaxDegreeOfParallelism = 1;
        try
        {
            Assert.Equal(Run(), parallel);
        }
        finally
        {
            BatchParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void AFailingChunkThrows()
    {
        var error = Record.Exception(() => BatchParallel.For(16, 16, (k, _, _) =>
        {
            if (k == 11) throw new InvalidOperationException("chunk 11");
        }));
        Assert.NotNull(error);
        var inner = error is AggregateException aggregate ? aggregate.Flatten().InnerExceptions.Single() : error;
        Assert.Equal("chunk 11", inner.Message);
        // The workers are usable afterwards.
        int total = 0;
        BatchParallel.For(16, 16, (_, _, _) => Interlocked.Increment(ref total));
        Assert.Equal(16, total);
    }
}
