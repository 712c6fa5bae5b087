namespace MixQ.NN.Optim;

/// <summary>A constant learning rate (after the optional warm-up).</summary>
public sealed record ConstantSchedule(float BaseRate, int WarmupSteps = 0) : LearningRateSchedule(BaseRate, WarmupSteps)
{
    protected override float Decay(int step, int decaySteps) => BaseRate;
}
