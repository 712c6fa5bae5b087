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

    /// <summary>The innermost open <see cref="RecyclingScope"/> of this thread (null: none).</summary>
    [ThreadStatic] private static RecyclingScope? _scope;

    /// <summary>Opens a scope on this thread that collects what this thread rents (see <see cref="Graph.RecycleScope"/>).</summary>
    public static RecyclingScope OpenScope() => _scope = new RecyclingScope(_scope);

    /// <summary>
    /// Pooled arrays rented on one thread while it is open; disposing gives back those not already returned. Returns
    /// made meanwhile (by any open scope of the thread) take the array off every open scope's list, so nothing is
    /// given back twice.
    /// </summary>
    public sealed class RecyclingScope : IDisposable
    {
        private readonly HashSet<float[]> _rented = new(ReferenceEqualityComparer.Instance);
        private bool _disposed;

        internal RecyclingScope(RecyclingScope? parent) => Parent = parent;

        internal RecyclingScope? Parent { get; }

        internal void Track(float[] array) => _rented.Add(array);

        internal void Forget(float[] array) => _rented.Remove(array);

        public void Dispose()
        {
            if (_disposed) return;
            if (!ReferenceEquals(_scope, this))
                throw new InvalidOperationException("recycling scopes must be disposed innermost first, on the thread that opened them");
            _disposed = true;
            _scope = Parent;
            foreach (var array in _rented) Return(array);
            _rented.Clear();
        }
    }

    /// <summary>An array of exactly <paramref name="length"/> floats with unspecified contents.</summary>
    public static float[] RentUninitialized(int length)
    {
        if (length >= MinLength)
        {
            lock (Gate)
            {
                if (Buckets.TryGetValue(length, out var stack) && stack.Count > 0)
                {
                    _pooledFloats -= length;
                    var pooled = stack.Pop();
                    _scope?.Track(pooled);
                    return pooled;
                }
            }
            var fresh = GC.AllocateUninitializedArray<float>(length);
            _scope?.Track(fresh);
            return fresh;
        }
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Gives back an array that nothing references any more (the caller guarantees it).</summary>
    public static void Return(float[] array)
    {
        if (array.Length < MinLength) return;
        for (var scope = _scope; scope is not null; scope = scope.Parent) scope.Forget(array);
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
