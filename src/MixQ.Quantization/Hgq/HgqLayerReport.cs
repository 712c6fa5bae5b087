using System.Text.Json.Serialization;

namespace MixQ.Quantization.Hgq;

/// <summary>Per-layer cost of an HGQ model: EBOPs, multiplications, pruned weights and average bit widths.</summary>
public sealed record HgqLayerReport(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("ebops")] long Ebops,
    [property: JsonPropertyName("multiplications")] long Multiplications,
    [property: JsonPropertyName("weights")] int Weights,
    [property: JsonPropertyName("pruned_weights")] int PrunedWeights,
    [property: JsonPropertyName("average_weight_bits")] double AverageWeightBits,
    [property: JsonPropertyName("average_input_bits")] double AverageInputBits)
{
    public static HgqLayerReport Of(HgqLayer layer)
    {
        var w = layer.Weight.ElementBitCounts(layer.Layer.Weight);
        var a = layer.Input.ElementBitCounts();
        return new HgqLayerReport(layer.Name, Hgq.Ebops.Exact(layer), layer.Multiplications, w.Length, w.Count(b => b == 0),
            w.Average(), a.Average());
    }

    public static IReadOnlyList<HgqLayerReport> Of(IEnumerable<HgqLayer> layers) => layers.Select(Of).ToList();
}
