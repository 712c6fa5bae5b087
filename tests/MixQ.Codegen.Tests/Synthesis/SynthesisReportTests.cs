using System.Runtime.CompilerServices;
using MixQ.Codegen.Design;
using MixQ.Codegen.Synthesis;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Tools;

namespace MixQ.Codegen.Tests.Synthesis;

public sealed class SynthesisReportTests
{
    /// <summary>
    /// `stat -json` of yosys 0.23 for Data/yosys023-stat.v (a registered shift-add in a sub-module and an 8x8
    /// multiply in the top), kept verbatim; counts below are read off its cell lists by hand.
    /// </summary>
    [Fact]
    public void ParsesTheYosys023LayoutPerModuleAndInTotal()
    {
        var report = SynthesisReport.Parse(File.ReadAllText(Path.Combine(DataFolder(), "yosys023-stat.json")), "test");
        var sub = report.Modules["sub"];
        Assert.Equal(2 + 6 + 2 + 1 + 5 + 1, sub.Luts); // LUT2..LUT6 and one INV
        Assert.Equal(9, sub.FlipFlops);
        Assert.Equal(3, sub.Carry);
        Assert.Equal(0, sub.Dsps);
        Assert.Equal(1, report.Modules["top"].Dsps);
        Assert.Equal(new ResourceCount(17, 9, 1, 0, 3), report.Total);
    }

    [Fact]
    public void BlockRamHalvesAndLutMemoryAreCounted()
    {
        var r = ResourceCount.FromCells(new Dictionary<string, long>
        {
            ["RAMB18E1"] = 3, ["RAMB36E1"] = 2, ["SRLC32E"] = 4, ["RAM64M"] = 1, ["FDRE"] = 5, ["FDCE"] = 1, ["CARRY4"] = 2, ["MUXF7"] = 9,
        });
        Assert.Equal(new ResourceCount(4 + 4, 6, 0, 3.5, 2), r);
    }

    [Fact]
    public void MalformedStatisticsAreOneClearError()
    {
        var e = Assert.Throws<MixQException>(() => SynthesisReport.Parse("{\"creator\": 1}", "x.json"));
        Assert.Contains("no 'modules'", e.Message);
        Assert.Throws<MixQException>(() => SynthesisReport.Parse("{ nope", "x.json"));
    }

    [SkippableFact]
    public void YosysStillWritesTheLayoutWeParse()
    {
        Tool.Require("yosys");
        using var folder = new TempFolder("yosys");
        File.Copy(Path.Combine(DataFolder(), "yosys023-stat.v"), folder.File("t.v"));
        ExternalTool.RunChecked("yosys", ["-q", "-p", "read_verilog t.v; synth_xilinx -family xc7 -top top -noiopad; tee -q -o stat.json stat -json"],
            folder.Path, TimeSpan.FromMinutes(10));
        var report = SynthesisReport.Parse(File.ReadAllText(folder.File("stat.json")), "stat.json");
        Assert.Equal(1, report.Total.Dsps);
        Assert.Equal(9, report.Modules["sub"].FlipFlops);
        Assert.True(report.Modules["sub"].Luts > 0);
    }

    private static string DataFolder([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Data");
}
