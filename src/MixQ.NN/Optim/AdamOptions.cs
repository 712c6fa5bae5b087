using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// Settings shared by <see cref="Adam"/> (coupled L2 weight decay) and <see cref="AdamW"/> (decoupled weight
/// decay), PyTorch defaults.
/// </summary>
/// <param name="LearningRate">Initial learning rate (schedules may change <see cref="Optimizer.LearningRate"/>).</param>
public sealed record AdamOptions(float LearningRate = 1e-3f)
{
    /// <summary>Decay rate of the first-moment (mean) estimate.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Decay rate of the second-moment (uncentred variance) estimate.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Added to √v̂ (outside the square root) to keep the step finite where v̂ ≈ 0.</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>
    /// Weight decay λ. Adam adds λ·p to the gradient (it is then normalised like the gradient); AdamW instead
    /// shrinks the parameter by lr·λ·p directly (Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization").
    /// </summary>
    public float WeightDecay { get; init; }

    /// <summary>
    /// Which parameters receive weight decay (true = decay); null decays every parameter. The trainer decays
    /// weight matrices and kernels only: <c>p =&gt; p.Rank &gt;= 2</c>.
    /// </summary>
    public Func<Tensor, bool>? DecayFilter { get; init; }
}
