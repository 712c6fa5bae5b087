namespace MixQ.Quantization.Hgq;

/// <summary>
/// Steers EBOPs toward <see cref="Target"/> by adjusting beta multiplicatively after every step:
/// beta &lt;- beta exp(<see cref="Gain"/> ln(EBOPs / target)), clamped to [<see cref="MinBeta"/>, <see cref="MaxBeta"/>].
/// Above the target beta grows (bits cost more), below it shrinks; at the target it holds. Working in log space
/// makes the response the same at every scale of EBOPs and beta.
/// </summary>
public sealed class EbopsController
{
    public EbopsController(double target, double initialBeta, double gain = 0.01, double minBeta = 1e-12, double maxBeta = BetaSchedule.MaxBeta)
    {
        if (!(target >= 1) || !double.IsFinite(target))
            throw new MixQException($"--target-ebops must be a positive number of bit operations (at least 1), got {target}");
        if (!(gain > 0) || !(minBeta > 0) || minBeta > maxBeta) throw new ArgumentException("controller gain and beta bounds must be positive and ordered");
        Target = target;
        Gain = gain;
        MinBeta = minBeta;
        MaxBeta = maxBeta;
        Beta = Math.Clamp(initialBeta, minBeta, maxBeta);
    }

    public double Target { get; }
    public double Gain { get; }
    public double MinBeta { get; }
    public double MaxBeta { get; }
    public double Beta { get; private set; }

    /// <summary>Feeds the latest EBOPs; returns the beta for the next step.</summary>
    public double Update(double ebops)
    {
        if (double.IsFinite(ebops) && ebops >= 0)
            Beta = Math.Clamp(Beta * Math.Exp(Gain * Math.Log(Math.Max(ebops, 1) / Target)), MinBeta, MaxBeta);
        return Beta;
    }
}
