using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Estimate;
using MixQ.Hardware.Partition;
using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Tests.Partition;

public sealed class PartitionOptimizerTests
{
    private static readonly FpgaDevice Z020 = DeviceCatalog.Find("XC7Z020")!;
    private readonly PartitionOptimizer _optimizer = new(CostModel.Default);

    [Fact]
    public void TheRatioIsAValidQuantizeRatioWithThePinnedShareKept()
    {
        var r = _optimizer.Optimize(Z020, ModelShapes.ForName("lenet5"), MixCandidate.ParseList("sp2-4,fixed-4,fixed-8:5"));
        var parsed = MixSpec.Parse(r.Ratio.ToString(), "--ratio");
        Assert.Equal(r.Ratio, parsed);
        Assert.Equal(["sp2-4", "fixed-4", "fixed-8"], parsed.Entries.Select(e => e.Format.ToString()));
        Assert.Equal(5m, parsed.Entries[2].Percent);
        Assert.Equal(0, r.Baseline.LutLanes);
        Assert.True(r.Speedup > 1, $"speedup {r.Speedup}");
        Assert.True(r.SpeedupOverUnpacked > r.Speedup);
    }

    [Fact]
    public void NoNeighbouringRatioIsFaster()
    {
        var shapes = ModelShapes.ForName("cifarnet");
        var mix = MixCandidate.ParseList("sp2-4,fixed-4");
        var r = _optimizer.Optimize(Z020, shapes, mix);
        decimal sp2 = r.Ratio.Entries[0].Percent;
        var arch = new GemmArchitecture(Z020, CostModel.Default, 4, 0.8);
        foreach (decimal s in new[] { sp2 - 1, sp2 + 1, sp2 - 5, sp2 + 5 })
        {
            if (s < 0 || s > 100) continue;
            var ratio = MixSpec.Parse($"sp2-4:{s},fixed-4:{100 - s}");
            var d = arch.Best(PartitionOptimizer.Workloads(shapes, ratio, mix.Select(m => m.Format).ToArray()))!;
            Assert.True(d.Cycles >= r.Design.Cycles, $"sp2 {s}% takes {d.Cycles} cycles, the optimizer's {sp2}% {r.Design.Cycles}");
        }
    }

    [Fact]
    public void OnOneLargeLayerTheCoresFinishTogether()
    {
        // Rows are plentiful, so rounding is negligible and the best split makes both cores equally busy:
        // SP2 share = LUT lanes / (LUT lanes + products per cycle of the DSP core), fixed-8 packing two per slice.
        var layer = new LayerShape("big", LayerKind.Linear, 20_000, 4096, 1, 4096);
        var r = _optimizer.Optimize(Z020, [layer], MixCandidate.ParseList("sp2-4,fixed-8"));
        double lanes = r.Design.LutLanes, dspProducts = 2.0 * r.Design.Dsps;
        double balanced = 100 * lanes / (lanes + dspProducts);
        Assert.InRange((double)r.Ratio.Entries[0].Percent, balanced - 1.5, balanced + 1.5);
    }

    [Fact]
    public void ALargerDeviceIsFaster()
    {
        var shapes = ModelShapes.ForName("resnet20");
        var mix = MixCandidate.ParseList("sp2-4,fixed-4");
        var small = _optimizer.Optimize(Z020, shapes, mix, step: 5);
        var large = _optimizer.Optimize(DeviceCatalog.Find("XC7Z045")!, shapes, mix, step: 5);
        Assert.True(large.Design.FramesPerSecond > small.Design.FramesPerSecond);
    }

    [Theory]
    [InlineData("sp2-4,fixed-4:120", "--mix 'sp2-4,fixed-4:120': share '120' of fixed-4 is not a percentage between 0 and 100")]
    [InlineData("sp2-4:60,fixed-4:30", "--mix 'sp2-4:60,fixed-4:30': every share is pinned but they sum to 90, not 100")]
    [InlineData("sp2-4@dsp,fixed-4", "--mix 'sp2-4@dsp,fixed-4': sp2-4 cannot run on DSP slices (only fixed-point rows can)")]
    [InlineData("sp2-4,sp2-4", "--mix 'sp2-4,sp2-4': format sp2-4 appears more than once")]
    [InlineData("sp2-4,fixed-4@gpu", "--mix 'sp2-4,fixed-4@gpu': unknown core '@gpu' (expected @lut or @dsp)")]
    public void BadMixesAreOneLine(string text, string message) =>
        Assert.Equal(message, Assert.Throws<MixQException>(() => MixCandidate.ParseList(text)).Message);

    [Fact]
    public void FixedRowsCanBePlacedOnLuts()
    {
        var mix = MixCandidate.ParseList("fixed-4@lut,fixed-8");
        Assert.Equal(MultiplierKind.FixedLut, mix[0].Format.Kind);
        Assert.False(mix[0].Format.OnDsp);
        Assert.True(mix[1].Format.OnDsp);
    }

    [Fact]
    public void ADeviceWithoutRoomIsOneLine()
    {
        var tiny = new FpgaDevice("tiny", 300, 600, DspKind.DSP48E1, 8, 1, 100);
        var e = Assert.Throws<MixQException>(() => _optimizer.Optimize(tiny, ModelShapes.ForName("lenet5"), MixCandidate.ParseList("sp2-4,fixed-4")));
        Assert.StartsWith("the model does not fit device tiny at all", e.Message);
    }
}
