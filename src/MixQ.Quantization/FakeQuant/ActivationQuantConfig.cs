namespace MixQ.Quantization;

/// <summary>
/// Settings of one activation quantizer: bit width (2..8), signedness (unsigned after ReLU), how the clip is
/// obtained, its starting value (PACT's paper starts at a = 10; 6 matches ReLU6 networks), and the percentile
/// calibration uses (100 = the observed maximum).
/// </summary>
public sealed record ActivationQuantConfig
{
    public int Bits { get; init; } = 4;
    public bool Signed { get; init; }
    public ClipMode Mode { get; init; } = ClipMode.Learned;
    public float InitialClip { get; init; } = 6f;
    public double Percentile { get; init; } = 100;

    /// <summary>Throws a <see cref="MixQException"/> naming the bad setting.</summary>
    public ActivationQuantConfig Validate()
    {
        if (Bits is < NumberSystems.NumberFormat.MinBits or > NumberSystems.NumberFormat.MaxBits)
            throw new MixQException($"activation quantization: bits must be between {NumberSystems.NumberFormat.MinBits} and {NumberSystems.NumberFormat.MaxBits}, got {Bits}");
        if (!(InitialClip > 0f) || !float.IsFinite(InitialClip))
            throw new MixQException($"activation quantization: the initial clip must be positive, got {InitialClip}");
        if (!(Percentile > 0 && Percentile <= 100))
            throw new MixQException($"activation quantization: the calibration percentile must be in (0, 100], got {Percentile}");
        return this;
    }
}
