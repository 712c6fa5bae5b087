using System.Buffers;
using System.Runtime.CompilerServices;
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

    /// <summary>Gradients handed back by <see cref="Recycle"/>, kept for the next gradient of the same tensor.</summary>
    private static readonly ConditionalWeakTable<Tensor, Tensor> Spares = [];

    public static void Write(Tensor tensor, Writer write)
    {
        if (tensor.Grad is null)
        {
            // A recycled gradient of this very tensor, else Tensor.Uninitialized, which draws from the training memory
            // pool (exactly Size floats): either way mapped memory instead of fresh pages faulted in every step.
            var fresh = Spares.TryGetValue(tensor, out var spare) && Spares.Remove(tensor) && spare.Size == tensor.Size && spare.Offset == 0 && spare.Storage.Length == spare.Size
                ? spare
                : Tensor.Uninitialized(tensor.ShapeArray());
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

    /// <summary>
    /// <see cref="Write(Tensor, Writer)"/> for a writer that can also add in place: when the tensor already has a gradient,
    /// <paramref name="accumulate"/> adds the contribution straight into it (it must give grad[i] + contribution[i] in
    /// float, exactly what writing to scratch and adding would give) — no scratch array and no second pass.
    /// </summary>
    public static void Write(Tensor tensor, Writer write, Writer accumulate)
    {
        if (tensor.Grad is { } grad && grad.Offset == 0 && grad.Storage.Length >= tensor.Size && grad.IsContiguous) accumulate(grad.Storage);
        else Write(tensor, write);
    }

    /// <summary>
    /// Clears <paramref name="tensor"/>'s gradient like an optimizer's ZeroGrad, but keeps its memory for the next
    /// <see cref="Write"/> to the same tensor. Only for gradients nothing else refers to any more: the HGQ bit
    /// optimizer's own parameters after its step (a fresh 1 MB gradient per step costs ~250 page faults).
    /// </summary>
    public static void Recycle(Tensor tensor)
    {
        if (tensor.Grad is { } grad) Spares.AddOrUpdate(tensor, grad);
        tensor.Grad = null;
    }
}
