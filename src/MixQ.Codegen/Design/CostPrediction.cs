using System.Text.Json;
using MixQ.Codegen.Synthesis;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Estimate;
using MixQ.NN.Modules;
using MixQ.NN.Models;
using MixQ.Quantization.Plans;

namespace MixQ.Codegen.Design;

/// <summary>
/// prediction.json: the cost model's (MixQ.Hardware) resource estimate for a generated design, per layer and in
/// total, for each FPGA family (xc7 on the XC7Z020, xcup on the XCZU9EG). Written by `mixq generate` from the
/// quantized checkpoint, read by `mixq synth` to set the prediction next to yosys's figures. GEMM estimates give
/// only totals (the engine is shared by all layers).
/// </summary>
public sealed record CostPrediction(IReadOnlyDictionary<string, CostPrediction.FamilyPrediction> Families)
{
    public const string FileName = "prediction.json";

    public sealed record LayerPrediction(string Layer, double Luts, double FlipFlops, double Dsps, double Bram36, long Cycles);

    public sealed record FamilyPrediction(string Device, string Architecture, IReadOnlyList<LayerPrediction> Layers, LayerPrediction Total);

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static CostPrediction Compute(Module model, ModelSpec spec, QuantizationPlan plan, string architecture)
    {
        var families = new SortedDictionary<string, FamilyPrediction>(StringComparer.Ordinal);
        foreach (var (family, deviceName) in new[] { ("xc7", "XC7Z020"), ("xcup", "XCZU9EG") })
        {
            var device = DeviceCatalog.Resolve(deviceName);
            var shapes = ModelShapes.Trace(model, spec.InputShape);
            var estimate = architecture == "gemm"
                ? Estimator.Gemm(device, CostModel.Default, shapes, plan)
                : Estimator.Unrolled(device, CostModel.Default, shapes, plan, WeightLevels.FromModel(model, plan));
            var layers = estimate.Layers.Select(l => new LayerPrediction(l.Name, l.Luts, l.FlipFlops, l.Dsps, l.Bram36, l.Cycles)).ToArray();
            var t = estimate.Total;
            families[family] = new FamilyPrediction(device.Name, estimate.Architecture, layers,
                new LayerPrediction("total", t.Luts, t.FlipFlops, t.Dsps, t.Bram36, estimate.CyclesPerFrame));
        }
        return new CostPrediction(families);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options).Replace("\r\n", "\n") + "\n";

    /// <summary>The prediction stored in a design folder, or null when it has none (a design generated without a checkpoint).</summary>
    public static CostPrediction? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<CostPrediction>(File.ReadAllText(path), Options); }
        catch (JsonException e) { throw new MixQException($"{path} is not a valid prediction file: {e.Message}"); }
    }
}
