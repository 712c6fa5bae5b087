using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// Gradient clipping across a parameter list (parameters without a gradient are ignored), as
/// torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Rescales all gradients together so that their global L2 norm ‖g‖ = √(Σ‖gᵢ‖²) is at most
    /// <paramref name="maxNorm"/>: g ← g · min(1, maxNorm / (‖g‖ + 1e-6)) (the 1e-6 guards against ‖g‖ = 0,
    /// as in PyTorch). Returns the norm before clipping. If the norm is not finite the gradients are left as
    /// they are, so the caller can see the NaN/∞ and skip the step.
    /// </summary>
    public static float ClipByGlobalNorm(IReadOnlyList<Tensor> parameters, float maxNorm)
    {
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "max norm must be non-negative");
        double sumOfSquares = 0;
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            // Per-tensor norms in float (vectorised), combined in double so many tensors do not lose precision.
            double n = TensorPrimitives.Norm<float>(p.Grad.Contiguous().Span);
            sumOfSquares += n * n;
        }
        double norm = Math.Sqrt(sumOfSquares);
        if (!double.IsFinite(norm)) return (float)norm;
        double scale = maxNorm / (norm + 1e-6);
        if (scale < 1)
        {
            foreach (var p in parameters)
                if (p.Grad is not null) Scale(p, (float)scale);
        }
        return (float)norm;
    }

    /// <summary>Clamps every gradient element into [−<paramref name="limit"/>, <paramref name="limit"/>].</summary>
    public static void ClipByValue(IReadOnlyList<Tensor> parameters, float limit)
    {
        if (!(limit >= 0)) throw new ArgumentOutOfRangeException(nameof(limit), limit, "clip value must be non-negative");
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            var g = ContiguousGrad(p);
            TensorPrimitives.Clamp<float>(g, -limit, limit, g);
        }
    }

    private static void Scale(Tensor p, float scale)
    {
        var g = ContiguousGrad(p);
        TensorPrimitives.Multiply(g, scale, g);
    }

    /// <summary>The gradient's elements, made contiguous in place if some op left a strided view.</summary>
    private static Span<float> ContiguousGrad(Tensor p)
    {
        if (!p.Grad!.IsContiguous) p.Grad = p.Grad.Contiguous();
        return p.Grad.Span;
    }
}
