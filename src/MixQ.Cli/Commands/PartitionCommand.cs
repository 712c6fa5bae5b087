using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Estimate;
using MixQ.Hardware.Partition;
using Spectre.Console;

namespace MixQ.Cli.Commands;

/// <summary>
/// `mixq partition --device NAME|FILE.json --model NAME [--mix sp2-4,fixed-4,fixed-8:5] [--cap 0.8] [--abits 4] [--json]`:
/// the row ratio (in `mixq quantize --ratio` syntax) and core sizes with the highest throughput, and the speedup
/// over a DSP-only fixed-point design.
/// </summary>
public static class PartitionCommand
{
    public static Command Build()
    {
        var device = new Option<string>("--device") { Description = "Device name or a device .json file", Required = true };
        var model = new Option<string>("--model") { Description = $"Model for shape analysis: {string.Join(", ", ModelShapes.Names)}", Required = true };
        var mix = new Option<string>("--mix") { Description = "Candidate formats; ':P' pins a share, '@lut' puts fixed rows on LUTs", DefaultValueFactory = _ => "sp2-4,fixed-4,fixed-8:5" };
        var cap = new Option<double>("--cap") { Description = "Share of the device's LUTs and DSPs the engine may use", DefaultValueFactory = _ => 0.8 };
        var abits = new Option<int>("--abits") { Description = "Activation bits", DefaultValueFactory = _ => 4 };
        var step = new Option<decimal>("--step") { Description = "Grid step of the free shares, in percent", DefaultValueFactory = _ => 1m };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line" };
        var command = new Command("partition", "Find the row ratio and LUT/DSP core sizes with the highest throughput on a device")
        {
            device, model, mix, cap, abits, step, json,
        };
        command.SetAction(parse =>
        {
            var fpga = DeviceCatalog.Resolve(parse.GetRequiredValue(device));
            var candidates = MixCandidate.ParseList(parse.GetValue(mix)!);
            int a = parse.GetValue(abits);
            if (a is < 2 or > 8) throw new MixQException($"--abits must be between 2 and 8, got {a}");
            string modelName = parse.GetRequiredValue(model);
            var shapes = ModelShapes.ForName(modelName);
            var result = new PartitionOptimizer(CostModel.Default).Optimize(fpga, shapes, candidates, parse.GetValue(cap), a, parse.GetValue(step));
            Print(ReportConsole.Create(), modelName, fpga, result, shapes.Sum(s => s.Macs));
            if (parse.GetValue(json)) JsonLine.Write(ToJson(modelName, fpga, result, parse.GetValue(cap), a));
            return 0;
        });
        return command;
    }

    private static void Print(IAnsiConsole console, string model, FpgaDevice device, PartitionResult r, long macs)
    {
        console.WriteLine($"{model} ({N(macs)} MACs per inference) on {device.Name} at {device.ClockMHz:0.#} MHz");
        var table = new Table().AddColumn("design").AddColumn(new TableColumn("LUT lanes").RightAligned()).AddColumn(new TableColumn("DSP slices").RightAligned())
            .AddColumn(new TableColumn("LUT").RightAligned()).AddColumn(new TableColumn("FF").RightAligned()).AddColumn(new TableColumn("cycles").RightAligned())
            .AddColumn(new TableColumn("frames/s").RightAligned()).AddColumn(new TableColumn("speedup").RightAligned());
        void Row(string name, GemmDesign d) => table.AddRow(Markup.Escape(name), N(d.LutLanes), N(d.Dsps), N(d.Total.Luts), N(d.Total.FlipFlops), N(d.Cycles),
            d.FramesPerSecond.ToString("N1", CultureInfo.InvariantCulture), (d.FramesPerSecond / r.Baseline.FramesPerSecond).ToString("0.00", CultureInfo.InvariantCulture) + "x");
        Row($"mixed {r.Ratio}", r.Design);
        Row("DSP-only fixed-4 (packed)", r.Baseline);
        Row("DSP-only fixed-4 (1 product/DSP)", r.UnpackedBaseline);
        console.Write(table);
        console.WriteLine($"ratio: {r.Ratio}");
        console.WriteLine($"speedup {r.Speedup:0.00}x over the packed DSP-only design, {r.SpeedupOverUnpacked:0.00}x over one product per DSP");
    }

    private static string N(double v) => Math.Round(v).ToString("N0", CultureInfo.InvariantCulture);

    private static JsonObject Design(GemmDesign d) => new()
    {
        ["lut_lanes"] = d.LutLanes, ["dsp_slices"] = d.Dsps, ["luts"] = d.Total.Luts, ["flip_flops"] = d.Total.FlipFlops,
        ["dsps"] = d.Total.Dsps, ["cycles"] = d.Cycles, ["frames_per_second"] = d.FramesPerSecond,
    };

    private static JsonObject ToJson(string model, FpgaDevice device, PartitionResult r, double cap, int abits) => new()
    {
        ["model"] = model,
        ["device"] = device.Name,
        ["clock_mhz"] = device.ClockMHz,
        ["cap"] = cap,
        ["activation_bits"] = abits,
        ["ratio"] = r.Ratio.ToString(),
        ["design"] = Design(r.Design),
        ["baseline"] = Design(r.Baseline),
        ["unpacked_baseline"] = Design(r.UnpackedBaseline),
        ["speedup"] = r.Speedup,
        ["speedup_over_unpacked"] = r.SpeedupOverUnpacked,
        ["frames_per_second"] = r.Design.FramesPerSecond,
    };
}
