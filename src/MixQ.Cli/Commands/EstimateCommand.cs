using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Estimate;
using MixQ.Quantization.Plans;
using MixQ.Quantization.Qat;
using Spectre.Console;

namespace MixQ.Cli.Commands;

/// <summary>
/// `mixq estimate --device NAME|FILE.json --checkpoint Q [--arch gemm|unrolled] [--cap 0.8] [--json]`: per-layer and
/// total MACs, LUT, DSP, BRAM, cycles, latency and frames/s of a quantized model's design on a device.
/// </summary>
public static class EstimateCommand
{
    public static Command Build()
    {
        var device = new Option<string>("--device") { Description = "Device name (XC7Z020, XC7Z045, XCZU9EG, XCVU9P) or a device .json file", Required = true };
        var checkpoint = new Option<string>("--checkpoint") { Description = "A quantized checkpoint written by mixq quantize", Required = true };
        var arch = new Option<string>("--arch") { Description = "gemm (mixed LUT/DSP engine, runtime weights) or unrolled (constant shift-add weights)", DefaultValueFactory = _ => "gemm" };
        var cap = new Option<double>("--cap") { Description = "Share of the device's LUTs and DSPs the gemm engine may use", DefaultValueFactory = _ => 0.8 };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line" };
        var command = new Command("estimate", "Estimate resources, latency and throughput of a quantized model on an FPGA") { device, checkpoint, arch, cap, json };
        command.SetAction(parse =>
        {
            string architecture = parse.GetValue(arch)!.Trim().ToLowerInvariant();
            if (architecture is not ("gemm" or "unrolled")) throw new MixQException($"--arch must be gemm or unrolled, got '{parse.GetValue(arch)}'");
            var fpga = DeviceCatalog.Resolve(parse.GetRequiredValue(device));
            string path = parse.GetRequiredValue(checkpoint);
            if (!File.Exists(path)) throw new MixQException($"checkpoint {path} does not exist");
            if (!QuantizeJob.IsQuantized(path)) throw new MixQException($"checkpoint {path} is not quantized: run mixq quantize first");
            var (model, spec, plan) = QuantizeJob.LoadQuantized(path);
            var shapes = ModelShapes.Trace(model, spec.InputShape);
            var cost = CostModel.Default;
            var estimate = architecture == "gemm"
                ? Estimator.Gemm(fpga, cost, shapes, plan, parse.GetValue(cap))
                : Estimator.Unrolled(fpga, cost, shapes, plan, WeightLevels.FromModel(model, plan));
            Print(ReportConsole.Create(), spec.Name, plan, estimate);
            if (parse.GetValue(json)) JsonLine.Write(ToJson(spec.Name, plan, estimate));
            return 0;
        });
        return command;
    }

    private static void Print(IAnsiConsole console, string model, QuantizationPlan plan, DesignEstimate e)
    {
        bool unrolled = e.Architecture == "unrolled";
        string engine = e.Gemm is { } g
            ? $"gemm engine: LUT core {g.LutLanes:N0} lanes{(g.LutLaneFormat is null ? "" : $" ({g.LutLaneFormat})")}, DSP core {g.Dsps:N0} DSP slices"
            : "fully unrolled, constant weights as shift-add";
        console.WriteLine($"{model} ({plan.Method}, mix {plan.Mix}, A{plan.ActivationBits}) on {e.Device.Name} at {e.Device.ClockMHz:0.#} MHz, {engine}");
        var table = new Table().AddColumn("layer").AddColumn(new TableColumn("MACs").RightAligned());
        if (!unrolled) table.AddColumn(new TableColumn("LUT-core MACs").RightAligned()).AddColumn(new TableColumn("DSP-core MACs").RightAligned());
        table.AddColumn(new TableColumn("LUT").RightAligned()).AddColumn(new TableColumn("DSP").RightAligned())
            .AddColumn(new TableColumn("BRAM36").RightAligned()).AddColumn(new TableColumn("cycles").RightAligned())
            .AddColumn(new TableColumn("latency us").RightAligned());
        if (unrolled) table.AddColumn(new TableColumn("EBOPs").RightAligned()).AddColumn(new TableColumn("LUT (EBOPs)").RightAligned());
        foreach (var l in e.Layers)
        {
            var row = new List<string> { Markup.Escape(l.Name), N(l.Macs) };
            if (!unrolled) row.AddRange([N(l.LutCoreMacs), N(l.DspCoreMacs), "shared", "shared"]);
            else row.AddRange([N(l.Luts), N(l.Dsps)]);
            row.AddRange([l.Bram36.ToString("0.##", CultureInfo.InvariantCulture), N(l.Cycles), (l.LatencySeconds * 1e6).ToString("0.##", CultureInfo.InvariantCulture)]);
            if (unrolled) row.AddRange([N(l.Ebops), N(l.Ebops)]);
            table.AddRow(row.ToArray());
        }
        var total = new List<string> { "total", N(e.Macs) };
        if (!unrolled) total.AddRange([N(e.Layers.Sum(l => l.LutCoreMacs)), N(e.Layers.Sum(l => l.DspCoreMacs))]);
        total.AddRange([N(e.Total.Luts), N(e.Total.Dsps), N(e.Total.Bram36), N(e.Cycles), (e.LatencySeconds * 1e6).ToString("0.##", CultureInfo.InvariantCulture)]);
        if (unrolled) total.AddRange([N(e.Ebops), N(e.Ebops)]);
        table.AddRow(total.ToArray());
        console.Write(table);
        console.WriteLine($"resources: LUT {N(e.Total.Luts)} of {N(e.Device.Luts)} ({e.Total.Luts / e.Device.Luts:P1}), FF {N(e.Total.FlipFlops)} of {N(e.Device.FlipFlops)}, " +
                          $"DSP {N(e.Total.Dsps)} of {N(e.Device.Dsps)}, BRAM36 {N(e.Total.Bram36)} of {N(e.Device.Bram36)}");
        console.WriteLine($"latency {e.LatencySeconds * 1e3:0.###} ms, {e.FramesPerSecond:N1} frames/s at {e.Device.ClockMHz:0.#} MHz");
        console.WriteLine(e.Fits ? $"fits {e.Device.Name}" : $"does not fit {e.Device.Name}: {string.Join("; ", e.Overruns)}");
    }

    private static string N(double v) => Math.Round(v).ToString("N0", CultureInfo.InvariantCulture);

    private static JsonObject ToJson(string model, QuantizationPlan plan, DesignEstimate e)
    {
        var layers = new JsonArray();
        foreach (var l in e.Layers)
        {
            layers.Add(new JsonObject
            {
                ["name"] = l.Name, ["macs"] = l.Macs, ["lut_core_macs"] = l.LutCoreMacs, ["dsp_core_macs"] = l.DspCoreMacs,
                ["luts"] = l.Luts, ["flip_flops"] = l.FlipFlops, ["dsps"] = l.Dsps, ["bram36"] = l.Bram36, ["cycles"] = l.Cycles,
                ["latency_seconds"] = l.LatencySeconds, ["ebops"] = l.Ebops,
            });
        }
        var overruns = new JsonArray();
        foreach (var o in e.Overruns)
            overruns.Add(new JsonObject { ["resource"] = o.Resource, ["needed"] = o.Needed, ["available"] = o.Available, ["excess"] = o.Excess });
        var obj = new JsonObject
        {
            ["model"] = model,
            ["method"] = plan.Method,
            ["mix"] = plan.Mix.ToString(),
            ["device"] = e.Device.Name,
            ["clock_mhz"] = e.Device.ClockMHz,
            ["arch"] = e.Architecture,
            ["activation_bits"] = e.ActivationBits,
            ["layers"] = layers,
            ["macs"] = e.Macs,
            ["luts"] = e.Total.Luts,
            ["flip_flops"] = e.Total.FlipFlops,
            ["dsps"] = e.Total.Dsps,
            ["bram36"] = e.Total.Bram36,
            ["cycles"] = e.Cycles,
            ["latency_seconds"] = e.LatencySeconds,
            ["frames_per_second"] = e.FramesPerSecond,
            ["ebops"] = e.Ebops,
            ["fits"] = e.Fits,
            ["overruns"] = overruns,
        };
        if (e.Gemm is { } g)
        {
            obj["lut_lanes"] = g.LutLanes;
            obj["dsp_slices"] = g.Dsps;
            obj["lut_lane_format"] = g.LutLaneFormat?.ToString();
        }
        return obj;
    }
}
