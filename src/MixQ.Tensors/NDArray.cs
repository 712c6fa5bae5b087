namespace MixQ.Tensors;

/// <summary>
/// A dense, contiguous, row-major array of an unmanaged element type (sbyte, short, int, long, ...).
/// Integer inference and code generation use it; training uses <see cref="Tensor"/>.
/// </summary>
public sealed class NDArray<T> where T : unmanaged
{
    public NDArray(int[] shape) : this(shape, new T[ShapeUtil.Size(shape)]) { }

    public NDArray(int[] shape, T[] data)
    {
        if (data.Length != ShapeUtil.Size(shape))
            throw new ArgumentException($"data length {data.Length} does not match shape {ShapeUtil.Format(shape)}");
        Shape = (int[])shape.Clone();
        Data = data;
    }

    public int[] Shape { get; }
    public T[] Data { get; }
    public int Rank => Shape.Length;
    public int Size => Data.Length;
    public Span<T> AsSpan() => Data;

    public T this[params int[] index]
    {
        get => Data[Flat(index)];
        set => Data[Flat(index)] = value;
    }

    public NDArray<T> Reshape(params int[] shape) => new(ShapeUtil.ResolveReshape(Size, shape), Data);

    private int Flat(int[] index)
    {
        if (index.Length != Shape.Length) throw new ArgumentException("index rank does not match array rank");
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)Shape[i]) throw new IndexOutOfRangeException();
            flat = flat * Shape[i] + index[i];
        }
        return flat;
    }
}
