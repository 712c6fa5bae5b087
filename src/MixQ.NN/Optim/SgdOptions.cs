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
    /// Which parameters receive weight decay, by <see cref="MixQ.Tensors.Tensor.Name"/> (as set by
    /// Module.RegisterParameter, e.g. "weight", "bias"); null decays every parameter.
    /// Example: <c>name =&gt; name != "bias"</c>.
    /// </summary>
    public Func<string, bool>? DecayFilter { get; init; }
}
