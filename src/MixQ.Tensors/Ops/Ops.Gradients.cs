using System.Numerics.Tensors;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

// Shared helpers for backward closures: they write input gradients straight into Tensor.Grad, in one pass
// where possible, instead of building a temporary gradient and copying it in through AccumulateGrad.
public static partial class Ops
{
    /// <summary>The input's gradient storage to add into: the existing gradient, or a new zero one attached now.</summary>
    internal static Span<float> GradAccumulator(Tensor target)
    {
        target.Grad ??= Tensor.Zeros(target.ShapeArray());
        return target.Grad.Span;
    }

    /// <summary>
    /// The input's gradient storage. When <paramref name="fresh"/> is true it was just attached with unspecified
    /// contents and the caller must overwrite every element; otherwise the caller must add into it.
    /// </summary>
    internal static Span<float> GradTarget(Tensor target, out bool fresh)
    {
        fresh = target.Grad is null;
        target.Grad ??= Tensor.Uninitialized(target.ShapeArray());
        return target.Grad.Span;
    }

    /// <summary>grad(target) += a * b elementwise (both laid out like target).</summary>
    internal static void AccumulateProduct(Tensor target, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var grad = GradTarget(target, out bool fresh);
        if (fresh) TensorPrimitives.Multiply(a, b, grad);
        else TensorPrimitives.MultiplyAdd(a, b, grad, grad);
    }

    /// <summary>grad(target) += g * scale (g laid out like target).</summary>
    internal static void AccumulateScaled(Tensor target, ReadOnlySpan<float> g, float scale)
    {
        var grad = GradTarget(target, out bool fresh);
        if (scale == 1f)
        {
            if (fresh) g.CopyTo(grad);
            else TensorPrimitives.Add(grad, g, grad);
        }
        else if (fresh) TensorPrimitives.Multiply(g, scale, grad);
        else TensorPrimitives.MultiplyAdd(g, scale, grad, grad);
    }

    /// <summary>
    /// grad(target) += scale * (g summed down to target's shape): the backward of broadcasting target up to
    /// <paramref name="gShape"/>.
    /// </summary>
    internal static void AccumulateSumTo(Tensor target, ReadOnlySpan<float> g, ReadOnlySpan<int> gShape, float scale = 1f)
    {
        if (g.Length == target.Size)
        {
            AccumulateScaled(target, g, scale);
        }
        else if (scale == 1f)
        {
            Broadcast.SumToAccumulate(g, gShape, GradAccumulator(target), target.Shape);
        }
        else
        {
            using var reduced = new ScratchBuffer(target.Size);
            reduced.Span.Clear();
            Broadcast.SumToAccumulate(g, gShape, reduced.Span, target.Shape);
            AccumulateScaled(target, reduced.Span, scale);
        }
    }

    /// <summary>grad(target) += g broadcast up to target's shape: the backward of a reduction.</summary>
    internal static void AccumulateExpand(Tensor target, ReadOnlySpan<float> g, ReadOnlySpan<int> gShape)
    {
        var grad = GradTarget(target, out bool fresh);
        if (fresh) Broadcast.Expand(g, gShape, grad, target.Shape);
        else Broadcast.Apply<AddKernel>(grad, target.Shape, g, gShape, grad, target.Shape);
    }
}
