using MixQ.Tensors;

namespace MixQ.NN.Losses;

/// <summary>Mean squared error mean((prediction - target)^2) over all elements.</summary>
public sealed class MseLoss
{
    /// <summary>The scalar loss (differentiable with respect to both arguments).</summary>
    public Tensor Compute(Tensor prediction, Tensor target) => Ops.MseLoss(prediction, target);
}
