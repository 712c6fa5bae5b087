namespace MixQ.Quantization.Assignment;

/// <summary>
/// Settings of the Hutchinson trace estimate. Each probe costs two gradient evaluations on the calibration
/// batch. <see cref="Epsilon"/> is the finite-difference step of H v ≈ (g(w + e v) - g(w - e v)) / 2e: the
/// truncation error is O(e^2) and float32 gradient noise grows like 1/e; 1e-3 against weights of order 0.01-1
/// balances the two.
/// </summary>
public sealed record HessianOptions
{
    public int Probes { get; init; } = 16;

    public double Epsilon { get; init; } = 1e-3;

    /// <summary>Throws a <see cref="MixQException"/> naming the bad setting.</summary>
    public HessianOptions Validate()
    {
        if (Probes < 1) throw new MixQException($"hessian rule: the probe count must be at least 1, got {Probes}");
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon)) throw new MixQException($"hessian rule: the finite-difference step must be positive, got {Epsilon}");
        return this;
    }
}
