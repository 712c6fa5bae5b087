namespace MixQ.NN.Optim;

/// <summary>
/// The learning rate as a function of the optimizer step, given the run's total number of steps.
/// An optional linear warm-up comes first: during steps 0 … W−1 the rate is BaseRate·(step + 1)/W, reaching
/// BaseRate at step W−1 (never 0, so no step is wasted). After warm-up the decay rule sees the step and the
/// total counted from the end of warm-up: <see cref="Decay"/>(step − W, totalSteps − W).
/// </summary>
/// <param name="BaseRate">The peak learning rate (reached at the end of warm-up).</param>
/// <param name="WarmupSteps">Length W of the linear warm-up; 0 for none.</param>
public abstract record LearningRateSchedule(float BaseRate, int WarmupSteps = 0)
{
    /// <summary>The learning rate for (zero-based) <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public float At(int step, int totalSteps)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be non-negative");
        if (totalSteps < 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "total steps must be non-negative");
        if (WarmupSteps < 0) throw new InvalidOperationException($"warm-up steps must be non-negative, got {WarmupSteps}");
        if (step < WarmupSteps) return (float)((double)BaseRate * (step + 1) / WarmupSteps);
        return Decay(step - WarmupSteps, Math.Max(0, totalSteps - WarmupSteps));
    }

    /// <summary>Sets <paramref name="optimizer"/>'s rate for <paramref name="step"/>; call before each Step().</summary>
    public void Apply(Optimizer optimizer, int step, int totalSteps) => optimizer.LearningRate = At(step, totalSteps);

    /// <summary>The rate <paramref name="step"/> steps after warm-up, of <paramref name="decaySteps"/> such steps.</summary>
    protected abstract float Decay(int step, int decaySteps);
}
