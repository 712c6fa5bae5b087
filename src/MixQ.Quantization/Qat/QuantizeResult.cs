using MixQ.NN.Training;
using MixQ.Quantization.Plans;

namespace MixQ.Quantization.Qat;

/// <summary>The outcome of `mixq quantize`.</summary>
public sealed record QuantizeResult(
    string Method,
    QuantizationPlan Plan,
    double FloatAccuracy,
    double PostTrainingAccuracy,
    double TestAccuracy,
    double AverageWeightBits,
    IReadOnlyList<EpochReport> Epochs,
    double Seconds,
    double SamplesPerSecond,
    string? CheckpointPath);
