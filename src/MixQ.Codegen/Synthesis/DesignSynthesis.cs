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

    /// <summary>
    /// The statistics of the last synthesis of <paramref name="designFolder"/>, for comparing them with a new
    /// prediction (after recalibrating the cost model) without another long yosys run. Refused when an input of the
    /// synthesis (Verilog, ROM images) changed since: checked by content against the digests the run recorded, or by
    /// timestamps for runs from before digests were recorded.
    /// </summary>
    public static (SynthesisReport Report, TimeSpan Elapsed) Reuse(string designFolder, string family)
    {
        if (!Families.Contains(family)) throw new MixQException($"unknown family '{family}' (expected one of: {string.Join(", ", Families)})");
        var manifest = DesignManifest.Read(designFolder);
        string folder = Path.Combine(designFolder, $"synth-{family}");
        string stat = Path.Combine(folder, "stat.json");
        if (!File.Exists(stat)) throw new MixQException($"{stat} does not exist: run mixq synth --design {designFolder} --family {family} without --reuse first");
        string digests = Path.Combine(folder, DigestFile);
        var inputs = Inputs(designFolder, manifest);
        string? changed = File.Exists(digests)
            ? (File.ReadAllText(digests) == Digests(designFolder, inputs) ? null : "the design's Verilog or ROM images")
            : inputs.FirstOrDefault(f => File.GetLastWriteTimeUtc(Path.Combine(designFolder, f)) > File.GetLastWriteTimeUtc(stat));
        if (changed is not null) throw new MixQException($"{changed} changed after the last synthesis ({stat}): run mixq synth without --reuse");
        return (SynthesisReport.Parse(File.ReadAllText(stat), stat), TimeSpan.Zero);
    }

    private const string DigestFile = "inputs.sha256";

    /// <summary>Records what was synthesized (SHA-256 of every input), so --reuse can tell a regenerated but identical design from a changed one.</summary>
    internal static void RecordInputs(string designFolder, string family) =>
        AtomicFile.WriteAllText(Path.Combine(designFolder, $"synth-{family}", DigestFile), Digests(designFolder, Inputs(designFolder, DesignManifest.Read(designFolder))));

    /// <summary>What yosys reads: the Verilog files and, for the GEMM engine, the ROM images (relative paths, sorted).</summary>
    private static string[] Inputs(string designFolder, DesignManifest manifest)
    {
        var files = manifest.VerilogFiles.ToList();
        string roms = Path.Combine(designFolder, "rom");
        if (Directory.Exists(roms)) files.AddRange(Directory.GetFiles(roms).Select(f => Path.Combine("rom", Path.GetFileName(f))));
        foreach (var f in files)
            if (!File.Exists(Path.Combine(designFolder, f))) throw new MixQException($"{Path.Combine(designFolder, f)} does not exist (the design folder is incomplete)");
        return files.OrderBy(f => f, StringComparer.Ordinal).ToArray();
    }

    private static string Digests(string designFolder, IEnumerable<string> inputs) => string.Concat(inputs.Select(f =>
        $"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(designFolder, f))))}  {f.Replace('\\', '/')}\n"));

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
        RecordInputs(designFolder, family);
        return (SynthesisReport.Parse(File.ReadAllText(stat), stat), result.Elapsed);
    }
}
