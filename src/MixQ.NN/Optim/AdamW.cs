using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// Adam with decoupled weight decay (torch.optim.AdamW): before the Adam step each parameter is multiplied by
/// 1 − lr·λ, so decay strength does not depend on the gradient's scale.
/// Set <see cref="AdamOptions.WeightDecay"/> explicitly (PyTorch's AdamW default is 0.01).
/// </summary>
public sealed class AdamW(IReadOnlyList<Tensor> parameters, AdamOptions options) : AdamBase(parameters, options)
{
    private protected override bool Decoupled => true;
}
