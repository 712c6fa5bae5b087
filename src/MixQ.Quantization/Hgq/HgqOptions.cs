namespace MixQ.Quantization.Hgq;

/// <summary>Everything `mixq quantize --method hgq` needs besides the float checkpoint and the data.</summary>
public sealed record HgqOptions
{
    public HgqQuantizerConfig Weights { get; init; } = new() { InitialFractionalBits = 8, Overflow = OverflowMode.Wrap };
    public HgqQuantizerConfig Activations { get; init; } = new() { InitialFractionalBits = 6, Overflow = OverflowMode.Saturate };
    /// <summary>beta over the run (ignored when <see cref="TargetEbops"/> is set, except for its start value).</summary>
    public BetaSchedule Beta { get; init; } = new(BetaScheduleKind.LogRamp, 1e-7, 1e-4);
    /// <summary>Steer EBOPs toward this value with <see cref="EbopsController"/> instead of following the schedule.</summary>
    public double? TargetEbops { get; init; }
    /// <summary>Weight of the sum of all bit widths in the loss.</summary>
    public double Gamma { get; init; }
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    /// <summary>Learning rate of the weights; null = a tenth of the model's float recipe.</summary>
    public double? LearningRate { get; init; }
    /// <summary>Adam learning rate of the fractional bits.</summary>
    public double BitsLearningRate { get; init; } = 0.005;
    /// <summary>Training batches used to calibrate activation ranges before every evaluation.</summary>
    public int CalibrationBatches { get; init; } = 8;
    /// <summary>Also evaluate the final model in integer arithmetic and count outputs that differ.</summary>
    public bool VerifyInteger { get; init; } = true;
    public int Seed { get; init; }
    public int LimitTrainSamples { get; init; }
    public int LimitTestSamples { get; init; }

    /// <summary>Throws a <see cref="MixQException"/> naming the first bad setting.</summary>
    public HgqOptions Validate()
    {
        Weights.Validate("weight quantizer");
        Activations.Validate("activation quantizer");
        if (TargetEbops is { } t && (!(t >= 1) || !double.IsFinite(t)))
            throw new MixQException($"--target-ebops must be a positive number of bit operations (at least 1), got {t}");
        if (!(Gamma >= 0) || Gamma > BetaSchedule.MaxBeta)
            throw new MixQException($"--gamma must be in [0, {BetaSchedule.MaxBeta}], got {Gamma}");
        if (Epochs < 1) throw new MixQException($"--epochs must be at least 1 for HGQ, got {Epochs}");
        if (BatchSize < 1) throw new MixQException($"--batch-size must be at least 1, got {BatchSize}");
        if (LearningRate is { } lr && (!(lr > 0) || double.IsInfinity(lr))) throw new MixQException($"--lr must be a positive number, got {lr}");
        if (!(BitsLearningRate > 0) || double.IsInfinity(BitsLearningRate)) throw new MixQException($"--bits-lr must be a positive number, got {BitsLearningRate}");
        if (CalibrationBatches < 1) throw new MixQException($"--calibration-batches must be at least 1, got {CalibrationBatches}");
        return this;
    }
}
