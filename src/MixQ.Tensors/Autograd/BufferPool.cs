namespace MixQ.Tensors.Autograd;

/// <summary>
/// Recycles the gradient buffers of intermediate tensors. A training step allocates its activations and their
/// gradients afresh, hundreds of megabytes for a small CNN; left to the GC, that memory goes back to the operating
/// system after each collection and every page faults in again on the next step (measured on cifarnet: ~44,000
/// page faults and a third of the step's time in the kernel). Backward knows exactly when an intermediate
/// gradient is dead — right after its node's backward has consumed it, because gradients are always owned by
/// <see cref="Tensor.Grad"/> alone (closures copy or add into their inputs' gradients, never alias them) — so it
/// hands those arrays back here, and <see cref="Tensor.Uninitialized"/> and <see cref="Tensor.Zeros"/> take them
/// out again for the next activation or gradient of the same size. An array leaves the pool to exactly one new
/// owner, so nothing is ever shared.
/// </summary>
internal static class BufferPool
{
    /// <summary>Smaller arrays are cheap young-generation allocations; pooling them would only cost a lock.</summary>
    public const int MinLength = 1 << 14;

    /// <summary>At most this many floats (512 MiB) wait in the pool; beyond it, returned arrays are left to the GC.</summary>
    public const long MaxPooledFloats = 1L << 27;

    private static readonly Dictionary<int, Stack<float[]>> Buckets = [];
    private static readonly Lock Gate = new();
    private static long _pooledFloats;

    /// <summary>This thread's open <see cref="BatchRecycler"/> (null: none).</summary>
    [ThreadStatic] internal static BatchRecycler? CurrentRecycler;

    /// <summary>Opens a recycler on this thread, or an inert one inside an open recycler (see <see cref="Graph.BatchRecycler"/>).</summary>
    public static BatchRecycler OpenRecycler() =>
        CurrentRecycler is null ? CurrentRecycler = new BatchRecycler(active: true) : new BatchRecycler(active: false);

    /// <summary>An array of exactly <paramref name="length"/> floats with unspecified contents.</summary>
    public static float[] RentUninitialized(int length)
    {
        if (length >= MinLength)
        {
            var recycler = CurrentRecycler;
            if (recycler is not null && recycler.TryTake(length, out var kept)) return kept;
            lock (Gate)
            {
                if (Buckets.TryGetValue(length, out var stack) && stack.Count > 0)
                {
                    _pooledFloats -= length;
                    var pooled = stack.Pop();
                    recycler?.Track(pooled, fromPool: true);
                    return pooled;
                }
            }
            var fresh = GC.AllocateUninitializedArray<float>(length);
            recycler?.Track(fresh, fromPool: false);
            return fresh;
        }
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Gives back an array that nothing references any more (the caller guarantees it).</summary>
    public static void Return(float[] array)
    {
        if (array.Length < MinLength) return;
        if (CurrentRecycler is { } recycler && recycler.TryGiveBack(array)) return;
        lock (Gate)
        {
            if (_pooledFloats + array.Length > MaxPooledFloats) return;
            if (!Buckets.TryGetValue(array.Length, out var stack)) Buckets[array.Length] = stack = new Stack<float[]>();
            stack.Push(array);
            _pooledFloats += array.Length;
        }
    }

    /// <summary>Lets go of every pooled array (the GC reclaims them): for the end of a training run, and tests.</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            Buckets.Clear();
            _pooledFloats = 0;
        }
    }

    /// <summary>Floats currently waiting in the pool (for tests and diagnostics).</summary>
    public static long PooledFloats
    {
        get { lock (Gate) return _pooledFloats; }
    }
}
