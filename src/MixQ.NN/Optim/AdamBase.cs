using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// The Adam update (Kingma &amp; Ba) with PyTorch's arithmetic, t counted per parameter:
/// m = β1·m + (1−β1)·d; v = β2·v + (1−β2)·d²; p −= lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε).
/// Subclasses choose how weight decay enters (<see cref="Adam"/>: d = g + λ·p; <see cref="AdamW"/>: p ← (1 − lr·λ)·p).
/// </summary>
public abstract class AdamBase : Optimizer
{
    private static readonly string[] Moments = ["exp_avg", "exp_avg_sq"];

    private protected AdamBase(IReadOnlyList<Tensor> parameters, AdamOptions options) : base(parameters, options.LearningRate)
    {
        if (!(options.Beta1 >= 0 && options.Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Beta1, "beta1 must be in [0, 1)");
        if (!(options.Beta2 >= 0 && options.Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Beta2, "beta2 must be in [0, 1)");
        if (!(options.Epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Epsilon, "epsilon must be non-negative");
        if (!(options.WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(options), options.WeightDecay, "weight decay must be non-negative");
        Options = options;
    }

    public AdamOptions Options { get; }

    protected sealed override IReadOnlyList<string> BufferNames => Moments;

    /// <summary>
    /// The first moment only. The second moment is a per-element gradient scale, not a direction, and is kept: zeroed
    /// under the bias correction of a step count in the thousands it would make the element's next steps about
    /// (1 − β1) / √(1 − β2) ≈ 3 times a fresh start's. With m reset the element's steps build up as momentum does.
    /// </summary>
    protected sealed override IReadOnlyList<int> MomentumBuffers => [0];

    /// <summary>Whether weight decay shrinks parameters directly (AdamW) instead of entering the gradient (Adam).</summary>
    private protected abstract bool Decoupled { get; }

    /// <summary>The interval a parameter is clamped into after each update (in the same pass); unbounded by default.</summary>
    private protected virtual (float Low, float High) BoundsFor(Tensor parameter) => (float.NegativeInfinity, float.PositiveInfinity);

    protected sealed override void Update(Tensor parameter, ReadOnlySpan<float> gradient, ParameterState state)
    {
        var (low, high) = BoundsFor(parameter);
        float lr = LearningRate;
        float wd = DecayFor(parameter, Options.WeightDecay, Options.DecayFilter);
        // Bias corrections in double: β^t underflows gracefully and 1 − β^t keeps its precision for small t.
        double t = state.Steps;
        double biasCorrection1 = 1 - Math.Pow(Options.Beta1, t);
        double biasCorrection2 = 1 - Math.Pow(Options.Beta2, t);
        var c = new AdamCoefficients(
            StepSize: (float)(lr / biasCorrection1),
            Beta1: Options.Beta1,
            Beta2: Options.Beta2,
            Epsilon: Options.Epsilon,
            BiasCorrection2Sqrt: (float)Math.Sqrt(biasCorrection2),
            L2: Decoupled ? 0f : wd,
            Keep: Decoupled ? (float)(1 - (double)lr * wd) : 1f,
            Low: low,
            High: high);
        OptimizerKernels.Adam(parameter.Span, gradient, state.Buffers[0], state.Buffers[1], c);
    }
}
