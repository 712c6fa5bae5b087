using MixQ.Codegen.Design;
using MixQ.Codegen.Tools;
using MixQ.NN.IO;

namespace MixQ.Codegen.Synthesis;

/// <summary>
/// Runs yosys `synth_xilinx` on a generated design (hierarchy kept, so every layer module is counted on its own)
/// and reads the statistics. Files go to DIR/synth-FAMILY/: synth.ys (the script, runnable by hand with
/// `yosys -s synth.ys`), yosys.log and stat.json.
/// </summary>
public static class DesignSynthesis
{
    public static readonly IReadOnlyList<string> Families = ["xc7", "xcup"];

    public static string Script(DesignManifest manifest, string family) =>
        string.Concat(manifest.VerilogFiles.Select(f => $"read_verilog ../{f}\n"))
        + $"synth_xilinx -family {family} -top {manifest.Top} -noiopad\n"
        + "tee -q -o stat.json stat -json\n";

    public static (SynthesisReport Report, TimeSpan Elapsed) Run(string designFolder, string family, TimeSpan? timeout = null)
    {
        if (!Families.Contains(family)) throw new MixQException($"unknown family '{family}' (expected one of: {string.Join(", ", Families)})");
        var manifest = DesignManifest.Read(designFolder);
        string folder = Path.Combine(designFolder, $"synth-{family}");
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "synth.ys"), Script(manifest, family));
        string stat = Path.Combine(folder, "stat.json");
        if (File.Exists(stat)) File.Delete(stat);
        var result = ExternalTool.Run("yosys", ["-q", "-l", "yosys.log", "-s", "synth.ys"], folder, timeout ?? TimeSpan.FromHours(2));
        if (!result.Succeeded || !File.Exists(stat))
        {
            string last = (result.StandardError + result.StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "no message";
            throw new MixQException($"yosys failed on {designFolder} (see {Path.Combine(folder, "yosys.log")}): {last.Trim()}");
        }
        return (SynthesisReport.Parse(File.ReadAllText(stat), stat), result.Elapsed);
    }
}
