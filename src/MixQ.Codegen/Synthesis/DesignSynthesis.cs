using MixQ.Codegen.Design;
using MixQ.Codegen.Tools;
using MixQ.NN.IO;

namespace MixQ.Codegen.Synthesis;

/// <summary>
/// Runs yosys `synth_xilinx` on a generated design (hierarchy kept, so every layer module is counted on its own)
/// and reads the statistics. Files go to DIR/synth-FAMILY/: synth.ys (the script, runnable by hand with
/// `yosys -s synth.ys`), yosys.log and stat.json. Unrolled designs can also be synthesized module by module
/// (<see cref="RunModules"/>): in parallel, or only the layers of interest of a design too large to synthesize whole.
/// </summary>
public static class DesignSynthesis
{
    public static readonly IReadOnlyList<string> Families = ["xc7", "xcup"];

    public static string Script(DesignManifest manifest, string family) => Script(manifest, family, manifest.Top, "../");

    /// <param name="root">Path from the script's folder to the design folder.</param>
    private static string Script(DesignManifest manifest, string family, string top, string root) =>
        string.Concat(manifest.VerilogFiles.Select(f => $"read_verilog {root}{f}\n"))
        + $"synth_xilinx -family {family} -top {top} -noiopad\n"
        + "tee -q -o stat.json stat -json\n";

    /// <summary>Writes <paramref name="script"/> as FOLDER/synth.ys, runs yosys there and reads stat.json; a failure is one MixQException.</summary>
    private static (SynthesisReport Report, TimeSpan Elapsed) RunYosys(string designFolder, string folder, string script, TimeSpan timeout)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "synth.ys"), script);
        string stat = Path.Combine(folder, "stat.json");
        if (File.Exists(stat)) File.Delete(stat);
        var result = ExternalTool.Run("yosys", ["-q", "-l", "yosys.log", "-s", "synth.ys"], folder, timeout);
        if (!result.Succeeded || !File.Exists(stat))
        {
            string last = (result.StandardError + result.StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "no message";
            throw new MixQException($"yosys failed on {designFolder} (see {Path.Combine(folder, "yosys.log")}): {last.Trim()}");
        }
        return (SynthesisReport.Parse(File.ReadAllText(stat), stat), result.Elapsed);
    }

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
        RequireUnchanged(designFolder, folder, manifest);
        return (SynthesisReport.Parse(File.ReadAllText(stat), stat), TimeSpan.Zero);
    }

    /// <summary>Refuses statistics in <paramref name="folder"/> when an input of their synthesis changed since.</summary>
    private static void RequireUnchanged(string designFolder, string folder, DesignManifest manifest)
    {
        string stat = Path.Combine(folder, "stat.json");
        string digests = Path.Combine(folder, DigestFile);
        var inputs = Inputs(designFolder, manifest);
        string? changed = File.Exists(digests)
            ? (File.ReadAllText(digests) == Digests(designFolder, inputs) ? null : "the design's Verilog or ROM images")
            : inputs.FirstOrDefault(f => File.GetLastWriteTimeUtc(Path.Combine(designFolder, f)) > File.GetLastWriteTimeUtc(stat));
        if (changed is not null) throw new MixQException($"{changed} changed after the last synthesis ({stat}): run mixq synth without --reuse");
    }

    private const string DigestFile = "inputs.sha256";

    /// <summary>Records what was synthesized (SHA-256 of every input), so --reuse can tell a regenerated but identical design from a changed one.</summary>
    internal static void RecordInputs(string designFolder, string family) => RecordInputsIn(designFolder, Path.Combine(designFolder, $"synth-{family}"));

    private static void RecordInputsIn(string designFolder, string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, DigestFile), Digests(designFolder, Inputs(designFolder, DesignManifest.Read(designFolder))));

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

    /// <summary>
    /// <paramref name="modules"/> ordered by the length of their Verilog text, longest first (ties by name): yosys time
    /// grows with the number of cells, and the text length is a cheap stand-in for it in generated stage modules.
    /// </summary>
    internal static string[] LargestFirst(string designFolder, DesignManifest manifest, IReadOnlyList<string> modules)
    {
        var length = new Dictionary<string, long>();
        foreach (string file in manifest.VerilogFiles)
        {
            string text = File.ReadAllText(Path.Combine(designFolder, file));
            foreach (string module in modules)
            {
                int start = text.IndexOf($"module {module} (", StringComparison.Ordinal);
                if (start < 0) continue;
                int end = text.IndexOf("endmodule", start, StringComparison.Ordinal);
                length[module] = (end < 0 ? text.Length : end) - start;
            }
        }
        return modules.OrderByDescending(m => length.GetValueOrDefault(m)).ThenBy(m => m, StringComparer.Ordinal).ToArray();
    }

    public static (SynthesisReport Report, TimeSpan Elapsed) Run(string designFolder, string family, TimeSpan? timeout = null)
    {
        if (!Families.Contains(family)) throw new MixQException($"unknown family '{family}' (expected one of: {string.Join(", ", Families)})");
        var manifest = DesignManifest.Read(designFolder);
        var synthesis = RunYosys(designFolder, Path.Combine(designFolder, $"synth-{family}"), Script(manifest, family), timeout ?? TimeSpan.FromHours(2));
        RecordInputs(designFolder, family);
        return synthesis;
    }

    /// <summary>
    /// Synthesizes modules of an unrolled design one by one, each as its own top (`synth_xilinx -top MODULE`), up to
    /// <paramref name="jobs"/> yosys processes at once; files in DIR/synth-FAMILY/modules/MODULE/. The counts equal the
    /// module's counts in a whole-design run, which keeps the hierarchy and so optimizes nothing across modules (tested);
    /// the unrolled top only wires the stages together. <paramref name="modules"/> null means every stage module.
    /// With <paramref name="reuse"/> the statistics of each module's last run are read instead (refused when the design changed since).
    /// </summary>
    public static (SynthesisReport Report, TimeSpan Elapsed) RunModules(string designFolder, string family, IReadOnlyList<string>? modules, int jobs,
        TimeSpan? timeout = null, bool reuse = false)
    {
        if (!Families.Contains(family)) throw new MixQException($"unknown family '{family}' (expected one of: {string.Join(", ", Families)})");
        if (jobs < 1) throw new MixQException($"--jobs must be at least 1, got {jobs}");
        var manifest = DesignManifest.Read(designFolder);
        if (manifest.Architecture != "unrolled")
            throw new MixQException($"per-module synthesis is for unrolled designs; {designFolder} is a {manifest.Architecture} design, whose controller lives in its top module (synthesize it whole)");
        var known = manifest.Modules.Select(m => m.Module).ToArray();
        var selected = modules ?? known;
        if (selected.Count == 0) throw new MixQException("no module to synthesize");
        foreach (string m in selected)
            if (!known.Contains(m)) throw new MixQException($"'{m}' is not a module of {designFolder} (modules: {string.Join(", ", known)})");
        if (selected.Distinct().Count() != selected.Count) throw new MixQException("a module is listed twice");
        Inputs(designFolder, manifest);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var counts = new Dictionary<string, (ResourceCount Count, IReadOnlyDictionary<string, long> Cells)>();
        var failures = new List<string>();
        if (reuse)
        {
            foreach (string module in selected)
            {
                string folder = Path.Combine(designFolder, $"synth-{family}", "modules", module);
                string last = Path.Combine(folder, "stat.json");
                if (!File.Exists(last)) throw new MixQException($"{last} does not exist: run mixq synth --design {designFolder} --family {family} --modules {module} without --reuse first");
                RequireUnchanged(designFolder, folder, manifest);
                var lastReport = SynthesisReport.Parse(File.ReadAllText(last), last);
                counts[module] = (lastReport.Total, lastReport.TotalCells);
            }
        }
        // Largest module first, handed out one at a time: with the default range partitioning a worker could get the
        // largest module last, after others, and the run would take their sum instead of the largest alone.
        else Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(LargestFirst(designFolder, manifest, selected),
            System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = jobs }, module =>
        {
            // Failures are collected, not thrown: an exception here would surface as an AggregateException.
            try
            {
                string folder = Path.Combine(designFolder, $"synth-{family}", "modules", module);
                var (report, _) = RunYosys(designFolder, folder, Script(manifest, family, module, "../../../"), timeout ?? TimeSpan.FromHours(4));
                RecordInputsIn(designFolder, folder);
                lock (counts) counts[module] = (report.Total, report.TotalCells);
            }
            catch (Exception e) when (e is MixQException or IOException or UnauthorizedAccessException)
            {
                lock (counts) failures.Add($"{module}: {e.Message}");
            }
        });
        if (failures.Count > 0) throw new MixQException(string.Join("; ", failures.Order(StringComparer.Ordinal)));
        var perModule = new SortedDictionary<string, ResourceCount>(StringComparer.Ordinal);
        var cells = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var total = default(ResourceCount);
        foreach (string m in selected)
        {
            perModule[m] = counts[m].Count;
            total += counts[m].Count;
            foreach (var (t, n) in counts[m].Cells) cells[t] = cells.GetValueOrDefault(t) + n;
        }
        return (new SynthesisReport(perModule, total, cells), clock.Elapsed);
    }
}
