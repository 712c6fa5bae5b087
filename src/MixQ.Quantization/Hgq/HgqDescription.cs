using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// How HGQ quantizers were attached to a (BatchNorm-folded) model: the two quantizer configurations and each
/// layer's input sample shape — enough to rebuild the quantized model before its state is loaded.
/// </summary>
public sealed record HgqDescription(
    [property: JsonPropertyName("weights")] HgqQuantizerConfig Weights,
    [property: JsonPropertyName("activations")] HgqQuantizerConfig Activations,
    [property: JsonPropertyName("input_shapes")] IReadOnlyDictionary<string, int[]> InputShapes)
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static HgqDescription FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<HgqDescription>(json, Json) ?? throw new MixQException($"{source}: empty HGQ description");
        }
        catch (JsonException e)
        {
            throw new MixQException($"{source}: HGQ description is not valid JSON ({e.Message})");
        }
    }
}
