namespace MixQ.Quantization.Hgq.Integer;

/// <summary>Outcome of comparing a model's fake-quantized float forward with its integer evaluation.</summary>
public sealed record BitExactnessReport(
    int Samples, int MismatchedSamples, long MismatchedOutputs, int PredictionsDiffering, double IntegerAccuracy,
    double FloatAccuracy, HgqIntegerCounters Counters);
