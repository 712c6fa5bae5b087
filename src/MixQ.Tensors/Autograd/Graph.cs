namespace MixQ.Tensors.Autograd;

/// <summary>Records operations and runs the reverse sweep.</summary>
public static class Graph
{
    /// <summary>
    /// When set, <see cref="Backward"/> adds the time spent in each op's backward (by op name) here: the
    /// profiler behind `MixQ.Bench profile`. Null (the default) costs nothing.
    /// </summary>
    public static Dictionary<string, TimeSpan>? BackwardProfile { get; set; }

    /// <summary>
    /// Attaches <paramref name="backward"/> to <paramref name="result"/> when recording is on and any input
    /// needs a gradient. Returns <paramref name="result"/> for chaining.
    /// </summary>
    public static Tensor Record(string op, Tensor result, Tensor[] inputs, Action<Tensor> backward) =>
        Record(op, result, inputs, backward, saved: null);

    /// <summary>
    /// <see cref="Record(string, Tensor, Tensor[], Action{Tensor})"/> for an op whose backward reads a buffer the forward
    /// filled (say, the position of each window's maximum). The graph owns <paramref name="saved"/> from here on:
    /// <see cref="Release"/> gives it back to the buffer pool, so the next step's forward refills memory that is
    /// already mapped. Take it from <see cref="RentSaved"/>; if nothing is recorded it goes straight back.
    /// </summary>
    public static Tensor Record(string op, Tensor result, Tensor[] inputs, Action<Tensor> backward, float[]? saved)
    {
        if (GradMode.Enabled)
        {
            foreach (var t in inputs)
            {
                if (t.RequiresGrad)
                {
                    result.RequiresGrad = true;
                    result.Node = new GradNode(op, inputs, backward, saved);
                    return result;
                }
            }
        }
        if (saved is not null) BufferPool.Return(saved);
        return result;
    }

    /// <summary>A buffer of <paramref name="length"/> floats (unspecified contents) for state a backward will read; see <see cref="Record(string, Tensor, Tensor[], Action{Tensor}, float[])"/>.</summary>
    public static float[] RentSaved(int length) => BufferPool.RentUninitialized(length);

    /// <summary>Whether an op's result will be recorded (lets ops skip saving state for backward).</summary>
    public static bool WillRecord(params Tensor[] inputs)
    {
        if (!GradMode.Enabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Reverse sweep from <paramref name="root"/> in topological order. Gradients of intermediate tensors are
    /// released as soon as they have been propagated; leaves keep theirs in <see cref="Tensor.Grad"/>.
    /// </summary>
    public static void Backward(Tensor root, Tensor? seed)
    {
        if (!root.RequiresGrad) throw new InvalidOperationException("tensor does not require grad");
        if (seed is null)
        {
            if (root.Size != 1) throw new InvalidOperationException("backward without a seed needs a scalar");
            seed = Tensor.Ones(root.ShapeArray());
        }
        root.AccumulateGrad(seed.Contiguous().Span);

        var order = TopologicalOrder(root);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var node = t.Node!;
            if (t.Grad is null) continue;
            var g = t.Grad;
            t.Grad = null;
            if (BackwardProfile is { } profile)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                node.Backward(g);
                profile[node.Op] = profile.GetValueOrDefault(node.Op) + System.Diagnostics.Stopwatch.GetElapsedTime(start);
            }
            else node.Backward(g);
            // g was this intermediate tensor's gradient and nothing else holds it: recycle its storage — unless the
            // backward handed it over to an input (TryHandOver), which owns it now.
            if (g.HandedOver) g.HandedOver = false;
            else if (g.Offset == 0 && g.Storage.Length == g.Size) BufferPool.Return(g.Storage);
        }
    }

    /// <summary>
    /// For an op's backward whose input gradient equals, element for element, the gradient it received (a
    /// straight-through pass) or can be computed over it in place: makes <paramref name="gradient"/> — the tensor
    /// the backward was given, which only the reverse sweep holds — the gradient of <paramref name="input"/>, so no
    /// input-sized array is allocated and copied. Done only when <paramref name="input"/> has no gradient yet, the
    /// shapes agree and <paramref name="gradient"/> is a whole array of its own; returns whether it was done. After a
    /// hand-over the backward may overwrite <paramref name="gradient"/> with the input's gradient, and nothing else may
    /// keep it.
    /// </summary>
    public static bool TryHandOver(Tensor gradient, Tensor input)
    {
        if (input.Grad is not null || !input.RequiresGrad || gradient.HandedOver) return false;
        if (gradient.Offset != 0 || gradient.Storage.Length != gradient.Size || !gradient.Shape.SequenceEqual(input.Shape)) return false;
        if (ReferenceEquals(gradient.Storage, input.Storage)) return false;
        gradient.HandedOver = true;
        input.Grad = gradient;
        return true;
    }

    /// <summary>
    /// Drops <paramref name="tensor"/>'s gradient like setting it to null, but gives its storage to the buffer pool, so
    /// the next gradient (or activation) of the same size reuses memory that is already mapped instead of a fresh array
    /// whose pages fault in on first write (a 784 x 256 weight's gradient: ~200 page faults, every step). The caller
    /// promises that nothing — no tensor, view, span or array taken from the gradient — is used afterwards.
    /// Gradients that do not own a whole array of their own are just dropped.
    /// </summary>
    public static void RecycleGradient(Tensor tensor)
    {
        if (tensor.Grad is not { } grad) return;
        tensor.Grad = null;
        if (grad.Offset == 0 && grad.Storage.Length == grad.Size && !ReferenceEquals(grad.Storage, tensor.Storage)) BufferPool.Return(grad.Storage);
    }

    /// <summary>
    /// For inference loops, where no graph is recorded and <see cref="Release"/> cannot find the activations: open one
    /// around the loop and a <see cref="Autograd.BatchRecycler.Batch"/> window around each batch's work; the pooled
    /// arrays a batch's tensors took then serve the next batch instead of new memory faulted in page by page.
    /// Everything created inside a window must be dead when it closes (results read out as numbers; whatever keeps a
    /// tensor keeps a copy). Tensors created outside windows, or by other threads, are untouched. Disposing the
    /// recycler gives the shared pool back exactly what the loop took from it. Inside an open recycler a second one
    /// is inert (the outer one's windows collect everything).
    /// </summary>
    public static BatchRecycler BatchRecycler() => BufferPool.OpenRecycler();

    /// <summary>
    /// Ends the life of the graph behind <paramref name="root"/>: every intermediate tensor in it (everything an op
    /// produced, not the leaves — parameters and inputs) gives its storage back to <see cref="BufferPool"/> and
    /// forgets its node, so the next step's activations and gradients reuse memory that is already mapped instead of
    /// faulting in fresh pages. The caller promises that no intermediate tensor of this graph — nor a view, span or
    /// array taken from one — is used afterwards: read the loss and the logits first. Storage shared with a leaf
    /// (a view of a parameter) is never given back.
    /// </summary>
    public static void Release(Tensor root)
    {
        if (root.Node is null) return;
        var order = TopologicalOrder(root);
        var leafStorage = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (var t in order)
            foreach (var input in t.Node!.Inputs)
                if (input.Node is null) leafStorage.Add(input.Storage);
        var returned = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (var t in order)
        {
            var saved = t.Node!.Saved;
            t.Node = null;
            t.Grad = null;
            if (!leafStorage.Contains(t.Storage) && returned.Add(t.Storage)) BufferPool.Return(t.Storage);
            if (saved is not null && returned.Add(saved)) BufferPool.Return(saved);
        }
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor t, int next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.Node?.Inputs ?? [];
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.Node is not null && child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
            }
            else if (t.Node is not null)
            {
                order.Add(t);
            }
        }
        return order;
    }
}
