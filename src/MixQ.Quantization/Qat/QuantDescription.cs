using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixQ.Quantization.Qat;

/// <summary>
/// How quantizers were attached to a (BatchNorm-folded) model: with the plan, enough to rebuild the quantized
/// model from a checkpoint before its scales and clipping thresholds are loaded.
/// </summary>
public sealed record QuantDescription(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("learn_scales")] bool LearnScales,
    [property: JsonPropertyName("layers")] IReadOnlyList<QuantLayerDescription> Layers)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static QuantDescription FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<QuantDescription>(json)
                   ?? throw new MixQException($"{source}: empty quantization description");
        }
        catch (JsonException e)
        {
            throw new MixQException($"{source}: quantization description is not valid JSON ({e.Message})");
        }
    }
}

/// <summary>One quantized layer's input quantizer: bit width and whether the input can be negative.</summary>
public sealed record QuantLayerDescription(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("input_bits")] int InputBits,
    [property: JsonPropertyName("input_signed")] bool InputSigned);
