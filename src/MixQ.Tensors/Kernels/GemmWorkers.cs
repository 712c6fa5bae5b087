using System.Diagnostics;

namespace MixQ.Tensors.Kernels;

/// <summary>A parallel GEMM: every participating thread calls <see cref="Execute"/>, which claims work items until none are left.</summary>
internal abstract class GemmJob
{
    public abstract void Execute();
}

/// <summary>
/// Dedicated background threads for GEMM. The calling thread always works too, and work is claimed item by
/// item, so a worker that is slow to wake (the machine is shared) only means the caller does more items
/// itself; the caller never waits for a worker that has not started. A worker that finishes spins briefly for
/// the next job before sleeping: training issues GEMMs back to back, and a futex wake-up would cost more than a
/// whole 128 x 256 x 128 product. One caller at a time: a concurrent or nested caller (for example per-sample
/// convolutions already running in parallel) is told to run single-threaded instead. BatchParallel runs its chunked
/// passes on the same threads when they are free.
/// </summary>
internal static class GemmWorkers
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 microseconds
    private static readonly object Gate = new();
    private static readonly object Sleep = new();
    private static int _threads;

    /// <summary>generation * 2 + 1 when closed: a worker works only on the open generation it woke for.</summary>
    private static int _state;
    private static GemmJob? _current;
    private static int _busy;
    private static Exception? _failure;

    /// <summary>Runs <paramref name="job"/> on the caller and up to helpers other threads; false if the workers are taken.</summary>
    public static bool TryRun(GemmJob job, int helpers)
    {
        // Monitor is re-entrant: a job's own body (a BatchParallel chunk that runs a GEMM) must not publish a new job.
        if (Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate)) return false;
        try
        {
            while (_threads < helpers) StartThread(++_threads);
            _current = job;
            _failure = null;
            int open = (Volatile.Read(ref _state) >> 1) + 1 << 1;
            lock (Sleep)
            {
                Interlocked.Exchange(ref _state, open);
                Monitor.PulseAll(Sleep);
            }
            try
            {
                job.Execute();
            }
            finally
            {
                // Close, then wait only for workers that joined before the close; later ones see it and leave.
                Interlocked.Exchange(ref _state, open | 1);
                var spin = new SpinWait();
                while (Volatile.Read(ref _busy) != 0) spin.SpinOnce(sleep1Threshold: -1);
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

    private static void StartThread(int index)
    {
        // Read before the job that needs this thread is published, so the thread cannot skip that job.
        int seen = Volatile.Read(ref _state) >> 1;
        var thread = new Thread(() => Loop(seen)) { IsBackground = true, Name = $"MixQ GEMM {index}" };
        thread.Start();
    }

    private static void Loop(int seen)
    {
        while (true)
        {
            seen = WaitForGeneration(seen);
            // Announce first, then check the job is still open: the caller closes before it reads _busy,
            // so either it waits for us or we see the close.
            Interlocked.Increment(ref _busy);
            if (Volatile.Read(ref _state) == seen << 1)
            {
                try
                {
                    _current!.Execute();
                }
                catch (Exception e)
                {
                    _failure = e;
                }
            }
            Interlocked.Decrement(ref _busy);
        }
    }

    /// <summary>Spins, then sleeps, until a generation newer than <paramref name="seen"/> is published.</summary>
    private static int WaitForGeneration(int seen)
    {
        // SpinWait backs off into yields, so on a busy machine the spinning worker hands its core to whoever
        // is waiting for it instead of burning the whole time slice.
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        var spin = new SpinWait();
        while (Volatile.Read(ref _state) >> 1 == seen && Stopwatch.GetTimestamp() < deadline)
            spin.SpinOnce(sleep1Threshold: -1);
        if (Volatile.Read(ref _state) >> 1 == seen)
        {
            lock (Sleep)
            {
                while (Volatile.Read(ref _state) >> 1 == seen) Monitor.Wait(Sleep);
            }
        }
        return Volatile.Read(ref _state) >> 1;
    }
}
