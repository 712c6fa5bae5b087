namespace MixQ.NN.Optim;

/// <summary>
/// Cosine annealing from BaseRate down to <paramref name="MinRate"/> over the steps after warm-up
/// (Loshchilov &amp; Hutter, SGDR, without restarts):
/// rate = MinRate + (BaseRate − MinRate) · (1 + cos(π · step / decaySteps)) / 2, held at MinRate afterwards.
/// Halfway it is (BaseRate + MinRate) / 2.
/// </summary>
public sealed record CosineSchedule(float BaseRate, float MinRate = 0f, int WarmupSteps = 0)
    : LearningRateSchedule(BaseRate, WarmupSteps)
{
    protected override float Decay(int step, int decaySteps)
    {
        if (step >= decaySteps) return MinRate;
        double progress = (double)step / decaySteps;
        return (float)(MinRate + (BaseRate - (double)MinRate) * (1 + Math.Cos(Math.PI * progress)) / 2);
    }
}
