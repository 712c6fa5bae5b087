using System.Buffers;
using System.Numerics.Tensors;

namespace MixQ.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Hands <paramref name="write"/> a buffer (array and offset) to fill with the whole gradient of
    /// <paramref name="input"/>, laid out like its shape. When the input has no gradient yet, that buffer is the
    /// new gradient itself, so the usual case costs no scratch and no copy; otherwise the result goes through
    /// pooled scratch and is added to the existing gradient. Arrays rather than spans, so the writer may run
    /// parallel loops.
    /// </summary>
    private static void WriteGrad(Tensor input, Action<float[], int> write)
    {
        var grad = GradTarget(input, out bool fresh);
        if (fresh)
        {
            write(input.Grad!.Storage, input.Grad.Offset);
            return;
        }
        var scratch = ArrayPool<float>.Shared.Rent(input.Size);
        try
        {
            write(scratch, 0);
            TensorPrimitives.Add(grad, scratch.AsSpan(0, input.Size), grad);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }
}
