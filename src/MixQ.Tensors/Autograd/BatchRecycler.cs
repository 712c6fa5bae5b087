namespace MixQ.Tensors.Autograd;

/// <summary>
/// Memory of an inference loop, kept apart from the shared pool (<see cref="Graph.BatchRecycler"/>). Inside a batch
/// window (<see cref="Batch"/>) the pooled arrays this thread rents are tracked; when the window closes they move to
/// the recycler's own free list, where the next window's rentals find them first. Rentals outside a window — the data
/// loader making the next batch, which it reuses — are not touched. When the recycler is disposed, arrays it took from
/// the shared pool go back there and the ones it allocated are left to the GC, so an evaluation (batches of 256) does
/// not fill the pool with arrays that training (batches of 128) cannot use, leaving training's own arrays no room.
/// </summary>
public sealed class BatchRecycler : IDisposable
{
    private readonly bool _active;
    private readonly HashSet<float[]> _rented = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<float[]> _fromPool = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<int, Stack<float[]>> _free = [];
    private bool _inBatch, _disposed;

    internal BatchRecycler(bool active) => _active = active;

    /// <summary>
    /// Opens a batch window: everything this thread creates until it is disposed must be dead by then (results read
    /// out as numbers; a probe or cache that keeps a tensor keeps a copy).
    /// </summary>
    public IDisposable Batch()
    {
        if (!_active) return Window.Inert;
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inBatch) throw new InvalidOperationException("a batch window is already open");
        _inBatch = true;
        return new Window(this);
    }

    internal bool TryTake(int length, out float[] array)
    {
        array = null!;
        if (!_inBatch || !_free.TryGetValue(length, out var stack) || stack.Count == 0) return false;
        array = stack.Pop();
        _rented.Add(array);
        return true;
    }

    internal void Track(float[] array, bool fromPool)
    {
        if (!_inBatch) return;
        _rented.Add(array);
        if (fromPool) _fromPool.Add(array);
    }

    /// <summary>An array given back early (an op that saved nothing): kept here if this window rented it.</summary>
    internal bool TryGiveBack(float[] array)
    {
        if (!_rented.Remove(array)) return false;
        Keep(array);
        return true;
    }

    private void EndBatch()
    {
        foreach (var array in _rented) Keep(array);
        _rented.Clear();
        _inBatch = false;
    }

    private void Keep(float[] array)
    {
        if (!_free.TryGetValue(array.Length, out var stack)) _free[array.Length] = stack = new Stack<float[]>();
        stack.Push(array);
    }

    public void Dispose()
    {
        if (_disposed || !_active) return;
        if (!ReferenceEquals(BufferPool.CurrentRecycler, this))
            throw new InvalidOperationException("a batch recycler must be disposed on the thread that opened it");
        if (_inBatch) EndBatch();
        _disposed = true;
        BufferPool.CurrentRecycler = null;
        foreach (var stack in _free.Values)
            foreach (var array in stack)
                if (_fromPool.Contains(array)) BufferPool.Return(array);
        _free.Clear();
        _fromPool.Clear();
    }

    private sealed class Window(BatchRecycler? owner) : IDisposable
    {
        public static readonly Window Inert = new(null);
        private BatchRecycler? _owner = owner;

        public void Dispose()
        {
            if (_owner is { _disposed: false, _inBatch: true } owner) owner.EndBatch();
            _owner = null;
        }
    }
}
