using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixQ.NN.Models;

/// <summary>
/// Everything needed to rebuild a model's architecture: stored in every checkpoint beside the weights, so a
/// checkpoint alone is enough to evaluate, quantize or export.
/// </summary>
public sealed record ModelSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("input_shape")] int[] InputShape,
    [property: JsonPropertyName("num_classes")] int NumClasses,
    [property: JsonPropertyName("vocab_size")] int VocabSize = 0)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelSpec FromJson(string json, string source)
    {
        try
        {
            var spec = JsonSerializer.Deserialize<ModelSpec>(json, Json);
            if (spec is null || string.IsNullOrEmpty(spec.Name) || spec.InputShape is null || spec.NumClasses <= 0)
                throw new MixQException($"{source}: model description is incomplete");
            return spec;
        }
        catch (JsonException e)
        {
            throw new MixQException($"{source}: model description is not valid JSON ({e.Message})");
        }
    }

    public bool Equals(ModelSpec? other) =>
        other is not null && Name == other.Name && InputShape.AsSpan().SequenceEqual(other.InputShape) &&
        NumClasses == other.NumClasses && VocabSize == other.VocabSize;

    public override int GetHashCode() => HashCode.Combine(Name, InputShape.Length, NumClasses, VocabSize);
}
