using MixQ.Codegen.Design;
using MixQ.Codegen.Gemm;
using MixQ.Codegen.Synthesis;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Vectors;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Tests.Synthesis;

/// <summary>
/// `mixq synth --jobs/--modules`: an unrolled design synthesized module by module gives every module the counts
/// the whole-design run (hierarchy kept) gives it — the reference is yosys on the whole design.
/// </summary>
public sealed class ModuleSynthesisTests
{
    private static void Generate(string outDir, string architecture)
    {
        var model = SmallModels.Mlp(4);
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), SmallModels.Inputs(model, 4, 5), 4);
        DesignWriter.Write(model, architecture, vectors, outDir, architecture == "gemm" ? new GemmOptions(2, 2) : null);
    }

    [SkippableFact]
    public void ModuleByModuleEqualsTheWholeDesignRun()
    {
        Tool.Require("yosys");
        using var folder = new TempFolder("modsynth");
        Generate(folder.Path, "unrolled");
        var (whole, _) = DesignSynthesis.Run(folder.Path, "xc7");
        var (parts, _) = DesignSynthesis.RunModules(folder.Path, "xc7", null, jobs: 2);
        var manifest = DesignManifest.Read(folder.Path);
        Assert.Equal(manifest.Modules.Select(m => m.Module).Order(), parts.Modules.Keys.Order());
        foreach (var m in manifest.Modules)
            Assert.Equal(whole.Modules[m.Module], parts.Modules[m.Module]);
        Assert.True(parts.Total.Luts > 0);
        Assert.Equal(whole.Total.Luts, parts.Total.Luts);
        Assert.Equal(whole.Total.FlipFlops, parts.Total.FlipFlops);
        Assert.Equal(whole.Total.Dsps, parts.Total.Dsps);

        // Only some modules: the comparison lists them and totals them, prediction and synthesis alike.
        string last = manifest.Modules[^1].Module;
        var (one, _) = DesignSynthesis.RunModules(folder.Path, "xc7", [last], jobs: 1);
        Assert.Equal(whole.Modules[last], one.Total);
        var prediction = CostPrediction.Read(folder.Path)?.Families["xc7"];
        var comparison = SynthesisComparison.Build(manifest, one, prediction, [last]);
        var row = Assert.Single(comparison.Rows);
        Assert.Equal(last, row.Module);
        Assert.Equal(row.Synthesized, comparison.Total.Synthesized);
        Assert.Equal(row.Predicted?.Luts, comparison.Total.Predicted?.Luts);

        // --reuse reads each module's last statistics, and refuses once the Verilog changed.
        var (again, _) = DesignSynthesis.RunModules(folder.Path, "xc7", null, jobs: 1, reuse: true);
        Assert.Equal(parts.Total, again.Total);
        File.AppendAllText(Path.Combine(folder.Path, manifest.VerilogFiles[0]), "// edited\n");
        Assert.Contains("changed after the last synthesis", Assert.Throws<MixQException>(() => DesignSynthesis.RunModules(folder.Path, "xc7", null, 1, reuse: true)).Message);
    }

    [Fact]
    public void ModulesAreScheduledLargestFirst()
    {
        using var folder = new TempFolder("modorder");
        Generate(folder.Path, "unrolled");
        var manifest = DesignManifest.Read(folder.Path);
        // Reference: walk the file line by line and total each stage module's line lengths.
        var size = new Dictionary<string, long>();
        string? open = null;
        foreach (string line in File.ReadLines(Path.Combine(folder.Path, manifest.VerilogFiles[0])))
        {
            if (line.StartsWith("module ", StringComparison.Ordinal)) open = line.Split(' ')[1];
            if (open is not null) size[open] = size.GetValueOrDefault(open) + line.Length + 1;
            if (line.StartsWith("endmodule", StringComparison.Ordinal)) open = null;
        }
        var stages = manifest.Modules.Select(m => m.Module).ToArray();
        var expected = stages.OrderByDescending(m => size[m]).ToArray();
        var order = DesignSynthesis.LargestFirst(folder.Path, manifest, stages);
        Assert.Equal(expected, order);
        Assert.Equal("dense", manifest.Modules.Single(m => m.Module == order[0]).Kind);
        Assert.NotEqual(stages, order);   // the manifest's pipeline order starts with the small flatten stage
    }

    [Fact]
    public void BadRequestsAreOneClearError()
    {
        using var folder = new TempFolder("modsynth");
        Generate(folder.Path, "unrolled");
        Assert.Contains("is not a module", Assert.Throws<MixQException>(() => DesignSynthesis.RunModules(folder.Path, "xc7", ["nope"], 1)).Message);
        Assert.Contains("--jobs must be at least 1", Assert.Throws<MixQException>(() => DesignSynthesis.RunModules(folder.Path, "xc7", null, 0)).Message);
        using var gemm = new TempFolder("modsynth-gemm");
        Generate(gemm.Path, "gemm");
        Assert.Contains("for unrolled designs", Assert.Throws<MixQException>(() => DesignSynthesis.RunModules(gemm.Path, "xc7", null, 2)).Message);
    }
}
