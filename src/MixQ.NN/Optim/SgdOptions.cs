using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// Stochastic gradient descent settings (PyTorch torch.optim.SGD semantics).
/// </summary>
/// <param name="LearningRate">Initial learning rate (schedules may change <see cref="Optimizer.LearningRate"/>).</param>
public sealed record SgdOptions(float LearningRate)
{
    /// <summary>Momentum factor μ; 0 disables the velocity buffer.</summary>
    public float Momentum { get; init; }

    /// <summary>Fraction of the gradient withheld from the velocity buffer (0 = PyTorch's default).</summary>
    public float Dampening { get; init; }

    /// <summary>Nesterov momentum: step along d + μ·buf instead of buf (needs momentum &gt; 0, dampening 0).</summary>
    public bool Nesterov { get; init; }

    /// <summary>Coupled (L2) weight decay: λ·p is added to the gradient before momentum.</summary>
    public float WeightDecay { get; init; }

    /// <summary>
    /// Which parameters receive weight decay (true = decay); null decays every parameter. The trainer decays
    /// weight matrices and kernels only: <c>p =&gt; p.Rank &gt;= 2</c>.
    /// </summary>
    public Func<Tensor, bool>? DecayFilter { get; init; }
}
