using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// Adam with optional coupled L2 weight decay (torch.optim.Adam): the decay term λ·p is added to the gradient
/// and therefore rescaled by the adaptive denominator like the rest of the gradient.
/// </summary>
public sealed class Adam(IReadOnlyList<Tensor> parameters, AdamOptions options) : AdamBase(parameters, options)
{
    private protected override bool Decoupled => false;
}
