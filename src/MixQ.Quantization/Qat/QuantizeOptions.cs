using MixQ.Quantization.Assignment;

namespace MixQ.Quantization.Qat;

/// <summary>Everything `mixq quantize` needs besides the float checkpoint and the data.</summary>
public sealed record QuantizeOptions
{
    /// <summary>fixed, pot, sp2 (one scheme), msq (SP2 + fixed rows), rmsmp (+ 8-bit rows), ilmpq (4/8-bit fixed rows).</summary>
    public required string Method { get; init; }
    /// <summary>Per-layer row mix such as "sp2-4:60,fixed-4:35,fixed-8:5"; null takes the method's default.</summary>
    public string? Ratio { get; init; }
    /// <summary>Weight bits for the single-scheme methods (fixed, pot, sp2).</summary>
    public int WeightBits { get; init; } = 4;
    public int ActivationBits { get; init; } = 4;
    /// <summary>Row-assignment rule; null takes the method's default (error for msq, hessian for rmsmp/ilmpq).</summary>
    public AssignmentRule? Rule { get; init; }
    /// <summary>Format of the first and last layers (e.g. "fixed-8"), or "mix" to apply the mix to them too.</summary>
    public string EdgeFormat { get; init; } = "fixed-8";
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 128;
    /// <summary>Fine-tuning learning rate; null = a tenth of the model's float recipe.</summary>
    public double? LearningRate { get; init; }
    /// <summary>Re-run the row assignment every N epochs of fine-tuning (0 = never).</summary>
    public int ReassignEvery { get; init; }
    /// <summary>Learn the per-row weight scales (LSQ); otherwise they stay at their MSE-optimal start.</summary>
    public bool LearnScales { get; init; } = true;
    /// <summary>Batches of training data used to calibrate activation ranges (and the Hessian rule).</summary>
    public int CalibrationBatches { get; init; } = 8;
    public int Seed { get; init; }
    public int LimitTrainSamples { get; init; }
    public int LimitTestSamples { get; init; }
}
