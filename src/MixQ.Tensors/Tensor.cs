using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Tensors;

/// <summary>
/// A float32 n-dimensional array that can take part in reverse-mode differentiation.
/// Storage is a flat array shared by views; <see cref="Strides"/> and <see cref="Offset"/> describe the view.
/// Kernels work on <see cref="Span"/>, which exists only for contiguous tensors; call <see cref="Contiguous"/> first.
/// </summary>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private readonly int[] _strides;

    public Tensor(int[] shape, float[] storage, int offset = 0, int[]? strides = null)
    {
        _shape = (int[])shape.Clone();
        Size = ShapeUtil.Size(shape);
        _strides = strides is null ? ShapeUtil.ContiguousStrides(shape) : (int[])strides.Clone();
        if (strides is null && offset + Size > storage.Length)
            throw new ArgumentException($"storage of {storage.Length} elements is too small for shape {ShapeUtil.Format(shape)}");
        Storage = storage;
        Offset = offset;
        IsContiguous = ComputeContiguous();
    }

    public Tensor(params int[] shape) : this(shape, new float[ShapeUtil.Size(shape)]) { }

    /// <summary>Flat backing array, possibly shared with other views.</summary>
    public float[] Storage { get; }
    public int Offset { get; }
    public int Size { get; }
    public ReadOnlySpan<int> Shape => _shape;
    public ReadOnlySpan<int> Strides => _strides;
    public int Rank => _shape.Length;
    public bool IsContiguous { get; }
    public string? Name { get; set; }

    /// <summary>Whether gradients flow into this tensor (set on parameters; propagated by ops).</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Accumulated gradient after <see cref="Backward"/>; same shape, contiguous.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>
    /// A hint set by the op that produced this tensor: its backward reads only these flat entries of the gradient,
    /// so an op consuming this tensor may compute just them and leave the others 0 (Linear does: the input gradient
    /// of a layer whose input quantizer needs it only at the few clipped entries). Null: every entry is needed.
    /// </summary>
    public int[]? GradientSupport { get; set; }

    /// <summary>The operation that produced this tensor, when it was recorded for differentiation.</summary>
    internal GradNode? Node { get; set; }

    /// <summary>Set by <see cref="Autograd.Graph.TryHandOver"/>: this gradient now belongs to another tensor, so the
    /// reverse sweep must not recycle its storage.</summary>
    internal bool HandedOver { get; set; }

    public bool IsLeaf => Node is null;

    public int Dim(int axis) => _shape[axis < 0 ? axis + Rank : axis];

    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>The elements of a contiguous tensor.</summary>
    public Span<float> Span
    {
        get
        {
            if (!IsContiguous) throw new InvalidOperationException("tensor is a strided view; call Contiguous() first");
            return Storage.AsSpan(Offset, Size);
        }
    }

    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params int[] index]
    {
        get => Storage[FlatIndex(index)];
        set => Storage[FlatIndex(index)] = value;
    }

    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a single element, shape is {ShapeUtil.Format(Shape)}");
        return Storage[Offset];
    }

    public float[] ToArray() => Contiguous().Span.ToArray();

    public override string ToString() => $"Tensor{ShapeUtil.Format(Shape)}{(RequiresGrad ? " grad" : "")}";

    // ---- construction -------------------------------------------------------------------------------

    public static Tensor Zeros(params int[] shape)
    {
        int size = ShapeUtil.Size(shape);
        if (size < BufferPool.MinLength) return new(shape);
        var storage = BufferPool.RentUninitialized(size);
        Array.Clear(storage);
        return new(shape, storage);
    }

    public static Tensor Full(float value, params int[] shape)
    {
        var t = new Tensor(shape);
        t.Span.Fill(value);
        return t;
    }

    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor over a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        if (shape.Length == 0) shape = [data.Length];
        if (ShapeUtil.Size(shape) != data.Length)
            throw new ArgumentException($"{data.Length} values do not fill shape {ShapeUtil.Format(shape)}");
        return new Tensor(shape, (float[])data.Clone());
    }

    /// <summary>Wraps <paramref name="data"/> without copying.</summary>
    public static Tensor Wrap(float[] data, params int[] shape) => new(shape, data);

    public static Tensor Scalar(float value) => new([], [value]);

    /// <summary>A fresh tensor whose contents are unspecified (callers overwrite every element).</summary>
    public static Tensor Uninitialized(params int[] shape) =>
        new(shape, BufferPool.RentUninitialized(ShapeUtil.Size(shape)));

    public static Tensor RandN(Random rng, float std, params int[] shape)
    {
        var t = new Tensor(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = std * Gaussian(rng);
        return t;
    }

    public static Tensor RandUniform(Random rng, float low, float high, params int[] shape)
    {
        var t = new Tensor(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = low + (high - low) * (float)rng.NextDouble();
        return t;
    }

    /// <summary>Box-Muller normal sample from an explicit generator (no hidden global randomness).</summary>
    public static float Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>A contiguous copy that is not connected to the graph.</summary>
    public Tensor Clone()
    {
        var c = Contiguous();
        var copy = new Tensor(ShapeArray(), c.Span.ToArray());
        return copy;
    }

    /// <summary>The same storage, cut from the graph (no gradient flows through the result).</summary>
    public Tensor Detach() => new(ShapeArray(), Storage, Offset, _strides);

    public void CopyFrom(Tensor source)
    {
        if (!source.Shape.SequenceEqual(Shape))
            throw new ArgumentException($"shape {ShapeUtil.Format(source.Shape)} does not match {ShapeUtil.Format(Shape)}");
        source.Contiguous().Span.CopyTo(Span);
    }

    /// <summary>Adds <paramref name="g"/> (laid out like this tensor's shape) into <see cref="Grad"/>.</summary>
    internal void AccumulateGrad(ReadOnlySpan<float> g)
    {
        if (Grad is null)
        {
            // From the pool, like every gradient: a fresh array here (a reshape's backward passes the whole activation
            // gradient through this) faults its pages in on every step.
            var storage = BufferPool.RentUninitialized(g.Length);
            g.CopyTo(storage);
            Grad = new Tensor(ShapeArray(), storage);
        }
        else
        {
            TensorPrimitives.Add(Grad.Span, g, Grad.Span);
        }
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank) throw new ArgumentException("index rank does not match tensor rank");
        int flat = Offset;
        for (int i = 0; i < index.Length; i++)
        {
            int ix = index[i] < 0 ? index[i] + _shape[i] : index[i];
            if ((uint)ix >= (uint)_shape[i]) throw new IndexOutOfRangeException();
            flat += ix * _strides[i];
        }
        return flat;
    }

    private bool ComputeContiguous()
    {
        int expected = 1;
        for (int i = Rank - 1; i >= 0; i--)
        {
            if (_shape[i] != 1 && _strides[i] != expected) return false;
            expected *= _shape[i];
        }
        return true;
    }
}
