using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Estimate;
using MixQ.Hardware.Partition;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Tests.Partition;

public sealed class GemmArchitectureTests
{
    private static readonly CoreFormat Sp2 = CoreFormat.Default(NumberFormat.Sp2(4));
    private static readonly CoreFormat Fixed4 = CoreFormat.Default(NumberFormat.Fixed(4));
    private static readonly CoreFormat Fixed8 = CoreFormat.Default(NumberFormat.Fixed(8));
    private static readonly FpgaDevice Z020 = DeviceCatalog.Find("XC7Z020")!;

    [Fact]
    public void LayerCyclesFollowTheTilingByHand()
    {
        // 40 rows x 100 terms x 9 positions; T = 16 -> 7 K-tiles.
        var shape = new LayerShape("l", LayerKind.Conv2d, 40, 100, 9, 900);
        var layer = new LayerWorkload(shape, [(Sp2, 24), (Fixed4, 10), (Fixed8, 6)]);
        var arch = new GemmArchitecture(Z020, CostModel.Default, 4, 0.8);
        var d = arch.Evaluate([layer], lutGroups: 5, dspGroups: 2);
        // LUT core: 7 * ceil(24 * 9 / 5) = 7 * 44 = 308.
        // DSP core, fixed-4 packs 2 rows x 2 positions: 7 * ceil(5 * 5 / 2) = 91; fixed-8 packs 2 rows: 7 * ceil(3 * 9 / 2) = 98.
        Assert.Equal(308, d.LayerCycles[0]);
        Assert.Equal(32, d.Dsps);
        Assert.Equal(80, d.LutLanes);
        var dspHeavy = arch.Evaluate([layer], lutGroups: 50, dspGroups: 1);
        // One DSP group: 7 * 25 + 7 * 27 = 364 beats the LUT core's 7 * ceil(216 / 50) = 35.
        Assert.Equal(Math.Max(7 * 5, 7 * 25 + 7 * 27), dspHeavy.LayerCycles[0]);
    }

    [Fact]
    public void BestDesignStaysWithinTheCappedBudgetsAndUsesThemWell()
    {
        var shapes = ModelShapes.ForName("cifarnet");
        var layers = PartitionOptimizer.Workloads(shapes, MixSpec.Parse("sp2-4:60,fixed-4:35,fixed-8:5"), [Sp2, Fixed4, Fixed8]);
        foreach (double cap in new[] { 0.5, 0.8, 1.0 })
        {
            var arch = new GemmArchitecture(Z020, CostModel.Default, 4, cap);
            var best = arch.Best(layers)!;
            Assert.True(arch.Fits(best));
            Assert.True(best.Total.Luts <= cap * Z020.Luts && best.Total.Dsps <= cap * Z020.Dsps);
            // No single extra group on either core would still fit and be faster.
            var moreLut = arch.Evaluate(layers, best.LutGroups + 1, best.DspGroups);
            Assert.True(!arch.Fits(moreLut) || moreLut.Cycles >= best.Cycles);
            var moreDsp = arch.Evaluate(layers, best.LutGroups, best.DspGroups + 1);
            Assert.True(!arch.Fits(moreDsp) || moreDsp.Cycles >= best.Cycles);
        }
    }

    [Fact]
    public void MoreBudgetNeverMeansFewerFramesPerSecond()
    {
        var layers = PartitionOptimizer.Workloads(ModelShapes.ForName("lenet5"), MixSpec.Parse("sp2-4:50,fixed-4:50"), [Sp2, Fixed4]);
        double previous = 0;
        foreach (double cap in new[] { 0.2, 0.4, 0.6, 0.8, 1.0 })
        {
            double fps = new GemmArchitecture(Z020, CostModel.Default, 4, cap).Best(layers)!.FramesPerSecond;
            Assert.True(fps >= previous, $"cap {cap}: {fps} < {previous}");
            previous = fps;
        }
    }

    [Fact]
    public void ADeviceTooSmallForOneGroupHasNoDesign()
    {
        var tiny = new FpgaDevice("tiny", 200, 400, DspKind.DSP48E1, 4, 1, 100);
        var layers = PartitionOptimizer.Workloads(ModelShapes.ForName("lenet5"), MixSpec.Parse("sp2-4:50,fixed-4:50"), [Sp2, Fixed4]);
        Assert.Null(new GemmArchitecture(tiny, CostModel.Default, 4, 0.8).Best(layers));
    }

    [Fact]
    public void AnInvalidCapIsRejected() =>
        Assert.Equal("utilization cap must be in (0, 1], got 1.5",
            Assert.Throws<MixQException>(() => new GemmArchitecture(Z020, CostModel.Default, 4, 1.5)).Message);
}
