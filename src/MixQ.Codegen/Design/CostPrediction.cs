using System.Text.Json;
using MixQ.Codegen.Gemm;
using MixQ.Codegen.Verilog;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Estimate;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Design;

/// <summary>
/// prediction.json: the cost model's (MixQ.Hardware) resource estimate for a generated design, per layer and in
/// total, for each FPGA family (xc7 on the XC7Z020, xcup on the XCZU9EG). Written by `mixq generate` from the
/// integer model (row-wise and HGQ), read by `mixq synth` to set the prediction next to yosys's figures. Both price the
/// structure the generator wrote: unrolled designs per module (<see cref="UnrolledPrice"/>), GEMM designs per core
/// (the engine is shared by all layers).
/// </summary>
public sealed record CostPrediction(IReadOnlyDictionary<string, CostPrediction.FamilyPrediction> Families)
{
    public const string FileName = "prediction.json";

    public sealed record LayerPrediction(string Layer, double Luts, double FlipFlops, double Dsps, double Bram36, long Cycles);

    /// <param name="Basis">
    /// "generated-design" when the figures price the structure the generator wrote (unrolled layers; the GEMM engine's
    /// lanes as <see cref="LaneEngine"/>), so `mixq synth` can compute an error; null in files from before it existed.
    /// </param>
    public sealed record FamilyPrediction(string Device, string Architecture, IReadOnlyList<LayerPrediction> Layers, LayerPrediction Total, string? Basis = null);

    public const string GeneratedDesignBasis = "generated-design";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// The prediction for the design of <paramref name="architecture"/> the generator builds from <paramref name="integer"/>
    /// (row-wise and HGQ models alike): unrolled designs module by module (<see cref="ForUnrolled"/>), GEMM designs per
    /// core for the lanes the generator builds by default (<see cref="LaneEngine"/>).
    /// </summary>
    public static CostPrediction Compute(IntegerModel integer, string architecture) => Compute(DesignWriter.Build(integer, architecture));

    /// <summary>The prediction for a design already built (what `mixq generate` writes: built once, written and priced).</summary>
    public static CostPrediction Compute(BuiltDesign design)
    {
        var families = new SortedDictionary<string, FamilyPrediction>(StringComparer.Ordinal);
        foreach (var (family, deviceName) in new[] { ("xc7", "XC7Z020"), ("xcup", "XCZU9EG") })
        {
            var device = DeviceCatalog.Resolve(deviceName);
            families[family] = design.Gemm is { } gemm ? ForGemm(device, gemm) : ForUnrolled(device, design.Unrolled!);
        }
        return new CostPrediction(families);
    }

    /// <summary>
    /// The generated unrolled design priced module by module (<see cref="UnrolledPrice"/>); the top holds only wiring.
    /// Cycles: the beats a module takes in per frame; in total the design's input beats per inference (its initiation
    /// interval: one frame enters while the previous one is in the pipeline).
    /// </summary>
    public static FamilyPrediction ForUnrolled(FpgaDevice device, UnrolledDesign design, CostModel? cost = null)
    {
        cost ??= CostModel.Default;
        var layers = design.Stages.Select(s => Row(s.Module, UnrolledPrice.Stage(s, cost, device.DspKind), s.In.Beats)).ToArray();
        var total = layers.Aggregate(Resources.Zero, (t, l) => t + new Resources(l.Luts, l.FlipFlops, l.Dsps, l.Bram36));
        return new FamilyPrediction(device.Name, "unrolled", layers, Row("total", total, design.Input.Beats), GeneratedDesignBasis);
    }

    /// <summary>
    /// The generated GEMM engine priced part by part: each core row holds its lanes and their weight ROMs (that is
    /// where the Verilog puts them); the total adds the activation memories and the control. Cycles: the schedule's
    /// load and compute cycles (the write-back drains come on top in simulation).
    /// </summary>
    public static FamilyPrediction ForGemm(FpgaDevice device, GemmDesign design)
    {
        // A LUT lane reads only the sign, the two valid bits and the low ShiftFieldBits of each shift field; synthesis
        // drops the ROM and register bits nobody reads, so those are the bits that cost.
        int lutWordBits = 3 + 2 * design.ShiftFieldBits;
        var spec = new LaneEngine.Spec(design.LutLanes, design.DspLanes, design.LutProductBits, design.ShiftFieldBits, design.ActivationBits,
            design.AccumulatorBits, lutWordBits, GemmDesign.DspWordBits, design.WeightRomDepth, design.ActivationMemoryDepth);
        var e = LaneEngine.Price(CostModel.Default, spec);
        var lutRoms = LaneEngine.Bram(spec.RomDepth, spec.LutWordBits) * spec.LutLanes;
        var dspRoms = LaneEngine.Bram(spec.RomDepth, spec.DspWordBits) * spec.DspLanes;
        long cycles = design.InputBeats + design.ScheduledComputeCycles;
        var layers = new List<LayerPrediction>();
        if (design.LutLanes > 0) layers.Add(Row("mixq_lut_core", e.LutCore + lutRoms, 0));
        if (design.DspLanes > 0) layers.Add(Row("mixq_dsp_core", e.DspCore + dspRoms, 0));
        return new FamilyPrediction(device.Name, "gemm", layers, Row("total", e.Total, cycles), GeneratedDesignBasis);
    }

    private static LayerPrediction Row(string name, Resources r, long cycles) => new(name, r.Luts, r.FlipFlops, r.Dsps, r.Bram36, cycles);

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
