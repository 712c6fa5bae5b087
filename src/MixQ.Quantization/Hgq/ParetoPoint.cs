using System.Text.Json.Serialization;

namespace MixQ.Quantization.Hgq;

/// <summary>One evaluated checkpoint: test accuracy against EBOPs (and where it came from).</summary>
public sealed record ParetoPoint(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("beta")] double Beta,
    [property: JsonPropertyName("test_accuracy")] double TestAccuracy,
    [property: JsonPropertyName("ebops")] long Ebops,
    [property: JsonPropertyName("pruned_weights")] double PrunedWeights,
    [property: JsonPropertyName("checkpoint")] string? Checkpoint)
{
    /// <summary>At least as accurate and at most as costly, and better in one of the two.</summary>
    public bool Dominates(ParetoPoint other) =>
        TestAccuracy >= other.TestAccuracy && Ebops <= other.Ebops && (TestAccuracy > other.TestAccuracy || Ebops < other.Ebops);
}
