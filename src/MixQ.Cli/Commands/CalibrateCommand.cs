using System.CommandLine;
using System.Globalization;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Synthesis;

namespace MixQ.Cli.Commands;

/// <summary>
/// `mixq calibrate --out FILE [--verilog DIR] [--family xc7]`: writes the cost model's calibration blocks as Verilog,
/// synthesizes each with yosys and writes the measured table (scripts/calibrate-cost-model.sh runs it).
/// </summary>
public static class CalibrateCommand
{
    public static Command Build()
    {
        var output = new Option<string?>("--out") { Description = "Where to write the calibration table (JSON)" };
        var reuse = new Option<string?>("--reuse") { Description = "Take blocks already measured in this table (same yosys and family) instead of re-synthesizing them" };
        var residuals = new Option<bool>("--residuals") { Description = "Print the shipped table against the fitted model (markdown) instead of synthesizing" };
        var verilog = new Option<string?>("--verilog") { Description = "Also keep the generated Verilog blocks in this folder" };
        var family = new Option<string>("--family") { Description = "yosys synth_xilinx family", DefaultValueFactory = _ => "xc7" };
        var command = new Command("calibrate", "Synthesize the cost model's calibration blocks with yosys and write the table") { output, verilog, family, reuse, residuals };
        command.SetAction(parse =>
        {
            if (parse.GetValue(residuals))
            {
                PrintResiduals(CostModel.Default);
                return 0;
            }
            string path = parse.GetValue(output) ?? throw new MixQException("calibrate needs --out FILE (or --residuals)");
            string? reusePath = parse.GetValue(reuse);
            var previous = reusePath is null ? null : CalibrationTable.FromJson(File.ReadAllText(reusePath), reusePath);
            var table = CostCalibration.Run(parse.GetValue(family)!, parse.GetValue(verilog), Console.WriteLine, previous);
            table.Save(path);
            Console.WriteLine($"wrote {table.Blocks.Count} blocks to {path}");
            return 0;
        });
        return command;
    }

    /// <summary>Markdown: the fitted coefficients, then every block with yosys's LUTs, the model's and the error.</summary>
    private static void PrintResiduals(CostModel cost)
    {
        Console.WriteLine($"Table: {cost.Table.Tool}, family {cost.Table.Family}; flow: {cost.Table.Flow}");
        Console.WriteLine();
        Console.WriteLine("| block kind (features) | coefficients |");
        Console.WriteLine("|---|---|");
        foreach (var (name, c) in cost.Coefficients)
            Console.WriteLine($"| {name} | {string.Join(", ", c.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))} |");
        Console.WriteLine();
        Console.WriteLine("| block | yosys LUT | carry | MUXF | DSP | model LUT | error |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var residuals = cost.Residuals();
        foreach (var (e, measured, predicted) in residuals)
        {
            string error = measured == 0 ? (predicted == 0 ? "0" : $"{predicted:+0.0;-0.0} LUT") : $"{(predicted - measured) / measured:+0.0%;-0.0%}";
            Console.WriteLine($"| {e.Name} | {measured} | {e.Carry} | {e.MuxF} | {e.Dsps} | {predicted.ToString("0.0", CultureInfo.InvariantCulture)} | {error} |");
        }
        // Combinational trees are shown but not modelled (the model's trees are pipelined); DSP blocks count DSPs.
        var lutBlocks = residuals.Where(r => r.Entry.Kind is not (BlockKind.FixedDspMultiplier or BlockKind.AdderTree) && r.Measured > 0).ToArray();
        double mape = lutBlocks.Average(r => Math.Abs(r.Predicted - r.Measured) / r.Measured);
        double worst = lutBlocks.Max(r => Math.Abs(r.Predicted - r.Measured) / r.Measured);
        Console.WriteLine();
        Console.WriteLine($"mean absolute error {mape:P1}, worst {worst:P1} over {lutBlocks.Length} modelled LUT-mapped blocks");
    }
}
