using System.Text.Json.Serialization;
using MixQ.Hardware.Synthesis;

namespace MixQ.Hardware.Cost;

/// <summary>
/// One measured block of the calibration table: its parameters (see <see cref="CalibrationBlock"/>) and yosys's cell
/// counts. <see cref="Luts"/> counts LUT1..LUT6 only (the table's original meaning); INV cells are in
/// <see cref="Inverters"/> (recorded since 2026-12-01, 0 in older entries).
/// </summary>
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
    [property: JsonPropertyName("dsps")] int Dsps,
    [property: JsonPropertyName("inverters")] int Inverters = 0)
{
    /// <summary>LUTs as `mixq synth` counts them (INV cells included); blocks measured before inverters were recorded have none.</summary>
    [JsonIgnore] public int LutsWithInverters => Luts + Inverters;

    public static CalibrationEntry From(CalibrationBlock b, SynthesisStats s) =>
        new(b.Name, b.Kind, b.Scheme, b.WeightBits, b.ActBits, b.Width, b.Count, s.Luts, s.FlipFlops, s.Carry, s.MuxF, s.Dsps, s.Inverters);
}
