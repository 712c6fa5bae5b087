using System.Text.Json.Serialization;
using MixQ.Hardware.Synthesis;

namespace MixQ.Hardware.Cost;

/// <summary>One measured block of the calibration table: its parameters (see <see cref="CalibrationBlock"/>) and yosys's cell counts.</summary>
public sealed record CalibrationEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] BlockKind Kind,
    [property: JsonPropertyName("scheme")] string Scheme,
    [property: JsonPropertyName("weight_bits")] int WeightBits,
    [property: JsonPropertyName("act_bits")] int ActBits,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("luts")] int Luts,
    [property: JsonPropertyName("flip_flops")] int FlipFlops,
    [property: JsonPropertyName("carry")] int Carry,
    [property: JsonPropertyName("muxf")] int MuxF,
    [property: JsonPropertyName("dsps")] int Dsps)
{
    public static CalibrationEntry From(CalibrationBlock b, SynthesisStats s) =>
        new(b.Name, b.Kind, b.Scheme, b.WeightBits, b.ActBits, b.Width, b.Count, s.Luts, s.FlipFlops, s.Carry, s.MuxF, s.Dsps);
}
