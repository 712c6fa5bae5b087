using System.Diagnostics;
using MixQ.Hardware.Cost;

namespace MixQ.Hardware.Synthesis;

/// <summary>Synthesizes every calibration block with yosys and collects the table (what `mixq calibrate` runs).</summary>
public static class CostCalibration
{
    /// <summary>
    /// Synthesizes the grid; blocks found by name in <paramref name="reuse"/> (a table from the same tool and flow) are
    /// taken from it instead, so that adding blocks to the grid does not mean re-running all of them.
    /// </summary>
    public static CalibrationTable Run(string family = "xc7", string? verilogDir = null, Action<string>? log = null, CalibrationTable? reuse = null)
    {
        string tool = ToolVersion();
        var entries = new List<CalibrationEntry>();
        foreach (var block in CalibrationBlocks.All())
        {
            if (verilogDir is not null)
            {
                Directory.CreateDirectory(verilogDir);
                File.WriteAllText(Path.Combine(verilogDir, block.Name + ".v"), block.Verilog);
            }
            if (reuse is not null && reuse.Tool == tool && reuse.Family == family && reuse.TryGet(block.Name, out var known))
            {
                entries.Add(known);
                continue;
            }
            var stats = Yosys.Synthesize(block, family);
            entries.Add(CalibrationEntry.From(block, stats));
            log?.Invoke($"{block.Name}: {stats.Luts} LUT, {stats.Carry} carry, {stats.MuxF} muxf, {stats.FlipFlops} FF, {stats.Dsps} DSP");
        }
        return new CalibrationTable(tool, family,
            $"read_verilog top.v; synth_xilinx -family {family} -top top -noiopad [-nodsp unless the block maps to DSP]; stat -json", entries);
    }

    private static string ToolVersion()
    {
        string exe = Yosys.Find() ?? throw new MixQException("yosys not found on PATH (install it with: apt-get install -y yosys)");
        var psi = new ProcessStartInfo(exe, "-V") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string v = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return v;
    }
}
