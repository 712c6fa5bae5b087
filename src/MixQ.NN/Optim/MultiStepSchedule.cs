namespace MixQ.NN.Optim;

/// <summary>
/// Multiplies the rate by <paramref name="Gamma"/> at each milestone step (PyTorch MultiStepLR):
/// rate = BaseRate · Gamma^(number of milestones ≤ step). Milestones count from the end of warm-up.
/// </summary>
public sealed record MultiStepSchedule(float BaseRate, IReadOnlyList<int> Milestones, float Gamma = 0.1f, int WarmupSteps = 0)
    : LearningRateSchedule(BaseRate, WarmupSteps)
{
    protected override float Decay(int step, int decaySteps)
    {
        int passed = 0;
        foreach (int m in Milestones) if (step >= m) passed++;
        return (float)(BaseRate * Math.Pow(Gamma, passed));
    }
}
