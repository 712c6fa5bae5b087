using System.Buffers;
using MixQ.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MixQ.Quantization;

/// <summary>
/// Adds a gradient into a tensor's <see cref="Tensor.Grad"/> from outside MixQ.Tensors (whose AccumulateGrad is
/// internal), with the same contract: the gradient is laid out like the tensor's logical shape; the first
/// contribution becomes Grad, later ones are added. When there is no Grad yet the writer fills it directly.
/// </summary>
internal static class GradientSink
{
    /// <summary>Fills a gradient buffer of <c>tensor.Size</c> floats (every element must be written).</summary>
    public delegate void Writer(float[] buffer);

    public static void Write(Tensor tensor, Writer write)
    {
        if (tensor.Grad is null)
        {
            // Tensor.Uninitialized draws from the training memory pool (exactly Size floats), so activation-sized
            // gradients reuse mapped memory instead of faulting in fresh pages every step.
            var fresh = Tensor.Uninitialized(tensor.ShapeArray());
            write(fresh.Storage);
            tensor.Grad = fresh;
            return;
        }
        var scratch = ArrayPool<float>.Shared.Rent(tensor.Size);
        try
        {
            write(scratch);
            var grad = tensor.Grad.Span;
            TensorPrimitives.Add(grad, scratch.AsSpan(0, tensor.Size), grad);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }
}
