namespace MixQ.Tensors.Kernels;

/// <summary>A unit of parallel GEMM work; worker 0 is the calling thread.</summary>
internal abstract class GemmJob
{
    public abstract void Execute(int worker);
}

/// <summary>
/// Dedicated background threads for GEMM. Unlike the shared thread pool, they are guaranteed to run
/// concurrently and are woken without allocating. One caller at a time: a concurrent caller (for example
/// per-sample convolutions already running in parallel) is told to run single-threaded instead.
/// </summary>
internal static class GemmWorkers
{
    private static readonly object Gate = new();
    private static readonly List<SemaphoreSlim> Starts = [];
    private static readonly ManualResetEventSlim Done = new(false, spinCount: 2000);
    private static GemmJob? _current;
    private static int _pending;
    private static Exception? _failure;

    /// <summary>Runs job.Execute(0..workers-1) in parallel; false if another caller holds the workers.</summary>
    public static bool TryRun(GemmJob job, int workers)
    {
        if (!Monitor.TryEnter(Gate)) return false;
        try
        {
            while (Starts.Count < workers - 1) StartThread(Starts.Count + 1);
            _current = job;
            _failure = null;
            Volatile.Write(ref _pending, workers - 1);
            Done.Reset();
            for (int w = 1; w < workers; w++) Starts[w - 1].Release();
            try
            {
                job.Execute(0);
            }
            finally
            {
                Done.Wait();
                _current = null;
            }
            if (_failure is not null) throw new AggregateException("GEMM worker failed", _failure);
            return true;
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void StartThread(int worker)
    {
        var start = new SemaphoreSlim(0);
        Starts.Add(start);
        var thread = new Thread(() => Loop(worker, start)) { IsBackground = true, Name = $"MixQ GEMM {worker}" };
        thread.Start();
    }

    private static void Loop(int worker, SemaphoreSlim start)
    {
        while (true)
        {
            start.Wait();
            try
            {
                _current!.Execute(worker);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            if (Interlocked.Decrement(ref _pending) == 0) Done.Set();
        }
    }
}
