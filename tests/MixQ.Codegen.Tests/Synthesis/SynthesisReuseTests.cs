using System.Runtime.CompilerServices;
using MixQ.Codegen.Design;
using MixQ.Codegen.Gemm;
using MixQ.Codegen.Synthesis;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Vectors;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Tests.Synthesis;

/// <summary>`mixq synth --reuse`: the last statistics are reused only while every synthesis input is unchanged.</summary>
public sealed class SynthesisReuseTests
{
    private static void Generate(string outDir, int seed)
    {
        var model = SmallModels.Mlp(seed);
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), SmallModels.Inputs(model, 4, 5), 4);
        DesignWriter.Write(model, "gemm", vectors, outDir, new GemmOptions(2, 2));
    }

    private static void FakeSynthesis(string design)
    {
        Directory.CreateDirectory(Path.Combine(design, "synth-xc7"));
        File.Copy(Path.Combine(DataFolder(), "yosys023-stat.json"), Path.Combine(design, "synth-xc7", "stat.json"), overwrite: true);
    }

    [Fact]
    public void WithoutAnEarlierSynthesisReuseIsOneClearError()
    {
        using var folder = new TempFolder("reuse");
        Generate(folder.Path, 4);
        var e = Assert.Throws<MixQException>(() => DesignSynthesis.Reuse(folder.Path, "xc7"));
        Assert.Contains("without --reuse first", e.Message);
    }

    [Fact]
    public void RegeneratingTheSameDesignKeepsTheStatisticsUsableAndAChangedRomDoesNot()
    {
        using var folder = new TempFolder("reuse");
        Generate(folder.Path, 4);
        FakeSynthesis(folder.Path);
        DesignSynthesis.RecordInputs(folder.Path, "xc7");
        Generate(folder.Path, 4); // same model: same bytes
        var (report, _) = DesignSynthesis.Reuse(folder.Path, "xc7");
        Assert.Equal(17, report.Total.Luts);

        string rom = Directory.GetFiles(Path.Combine(folder.Path, "rom")).Order(StringComparer.Ordinal).First();
        File.AppendAllText(rom, "0000\n");
        var e = Assert.Throws<MixQException>(() => DesignSynthesis.Reuse(folder.Path, "xc7"));
        Assert.Contains("changed after the last synthesis", e.Message);
    }

    [Fact]
    public void RegeneratingWritesNothingWhoseBytesAreUnchanged()
    {
        using var folder = new TempFolder("reuse");
        Generate(folder.Path, 4);
        string verilog = Path.Combine(folder.Path, GemmDesign.FileName);
        var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(verilog, old);
        Generate(folder.Path, 4);
        Assert.Equal(old, File.GetLastWriteTimeUtc(verilog));
        Generate(folder.Path, 5); // different weights: rewritten
        Assert.NotEqual(old, File.GetLastWriteTimeUtc(verilog));
    }

    [Fact]
    public void StatisticsWithoutDigestsAreReusedOnlyWhenNewerThanEveryInput()
    {
        using var folder = new TempFolder("reuse");
        Generate(folder.Path, 4);
        FakeSynthesis(folder.Path);
        string stat = Path.Combine(folder.Path, "synth-xc7", "stat.json");
        File.SetLastWriteTimeUtc(stat, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(17, DesignSynthesis.Reuse(folder.Path, "xc7").Report.Total.Luts);
        File.SetLastWriteTimeUtc(stat, DateTime.UtcNow.AddHours(-1));
        Assert.Throws<MixQException>(() => DesignSynthesis.Reuse(folder.Path, "xc7"));
    }

    private static string DataFolder([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Data");
}
