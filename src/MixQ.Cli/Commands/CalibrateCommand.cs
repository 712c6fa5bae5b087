using System.CommandLine;
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
        var output = new Option<string>("--out") { Description = "Where to write the calibration table (JSON)", Required = true };
        var verilog = new Option<string?>("--verilog") { Description = "Also keep the generated Verilog blocks in this folder" };
        var family = new Option<string>("--family") { Description = "yosys synth_xilinx family", DefaultValueFactory = _ => "xc7" };
        var command = new Command("calibrate", "Synthesize the cost model's calibration blocks with yosys and write the table") { output, verilog, family };
        command.SetAction(parse =>
        {
            var table = CostCalibration.Run(parse.GetValue(family)!, parse.GetValue(verilog), Console.WriteLine);
            table.Save(parse.GetRequiredValue(output));
            Console.WriteLine($"wrote {table.Blocks.Count} blocks to {parse.GetRequiredValue(output)}");
            return 0;
        });
        return command;
    }
}
