using System.Buffers;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// A pooled float scratch span for backward passes (`using var s = new ScratchBuffer(n);`), returned to
/// <see cref="ArrayPool{T}.Shared"/> on dispose. Contents start unspecified.
/// </summary>
internal ref struct ScratchBuffer
{
    private float[]? _array;

    public ScratchBuffer(int length)
    {
        _array = ArrayPool<float>.Shared.Rent(Math.Max(length, 1));
        Span = _array.AsSpan(0, length);
    }

    public Span<float> Span { get; }

    public void Dispose()
    {
        if (_array is null) return;
        ArrayPool<float>.Shared.Return(_array);
        _array = null;
    }
}
