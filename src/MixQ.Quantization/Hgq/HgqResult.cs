using MixQ.NN.Training;
using MixQ.Quantization.Hgq.Integer;

namespace MixQ.Quantization.Hgq;

/// <summary>The outcome of `mixq quantize --method hgq`.</summary>
public sealed record HgqResult(
    double FloatAccuracy,
    double TestAccuracy,
    long Ebops,
    IReadOnlyList<HgqLayerReport> Layers,
    IReadOnlyList<ParetoPoint> Pareto,
    IReadOnlyList<ParetoPoint> Evaluated,
    BitExactnessReport? BitExactness,
    IReadOnlyList<EpochReport> Epochs,
    double Seconds,
    double SamplesPerSecond,
    string? CheckpointPath);
