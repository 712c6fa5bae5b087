namespace MixQ.NN.Optim;

/// <summary>
/// Multiplies the rate by <paramref name="Gamma"/> every <paramref name="StepSize"/> steps (PyTorch StepLR):
/// rate = BaseRate · Gamma^⌊step / StepSize⌋.
/// </summary>
public sealed record StepDecaySchedule(float BaseRate, int StepSize, float Gamma = 0.1f, int WarmupSteps = 0)
    : LearningRateSchedule(BaseRate, WarmupSteps)
{
    protected override float Decay(int step, int decaySteps)
    {
        if (StepSize <= 0) throw new InvalidOperationException($"step size must be positive, got {StepSize}");
        return (float)(BaseRate * Math.Pow(Gamma, step / StepSize));
    }
}
