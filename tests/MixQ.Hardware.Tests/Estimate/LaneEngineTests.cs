using MixQ.Hardware.Cost;
using MixQ.Hardware.Estimate;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Hardware.Tests.Estimate;

public sealed class LaneEngineTests
{
    private static readonly CostModel Cost = CostModel.Default;

    [Theory]
    [InlineData(3, 4)]
    [InlineData(4, 4)]
    [InlineData(6, 8)]
    [InlineData(8, 8)]
    public void ShiftAddMultiplierWithTheCalibratedShapeIsTheRuntimeSp2Multiplier(int m, int a)
    {
        // The calibrated SP2 block (CalibrationBlocks.Sp2Runtime): datapath a + J + 1 bits, m1 + m2 select bits.
        var split = NumberFormat.Sp2(m).Sp2Split;
        var viaShape = Cost.ShiftAddMultiplier(a + split.FirstMaxExponent + 1, split.FirstBits + split.SecondBits);
        var viaFormat = Cost.Multiplier(NumberFormat.Sp2(m), a, MultiplierKind.Sp2Lut, WeightBinding.Runtime);
        Assert.Equal(viaFormat.Luts, viaShape.Luts, 9);
    }

    [Fact]
    public void ShiftAddMultiplierGrowsWithWidthAndSelectBits()
    {
        Assert.True(Cost.ShiftAddMultiplier(24, 10).Luts > Cost.ShiftAddMultiplier(9, 4).Luts);
        Assert.True(Cost.ShiftAddMultiplier(9, 6).Luts > Cost.ShiftAddMultiplier(9, 4).Luts);
    }

    [Theory]
    [InlineData(784, 8, 0.5)]      // one RAMB18 at 2048 x 9
    [InlineData(2048, 9, 0.5)]
    [InlineData(2049, 9, 1.0)]     // two halves, either 2 x (2048 x 9) or 1 x (4096 x 4) x 3 -> 2 is fewer
    [InlineData(16384, 13, 6.5)]   // 13 halves of 16K x 1 beat 7 x (8K x 2) x 2 = 14
    [InlineData(512, 36, 0.5)]
    [InlineData(100, 40, 1.0)]     // 40 bits: two 512 x 36 halves
    public void BlockRamCountsRamb18HalvesOfTheBestShape(int depth, int width, double bram36)
    {
        Assert.Equal(bram36, LaneEngine.Bram(depth, width).Bram36);
    }

    [Fact]
    public void PriceComposesLanesRomsMemoriesAndControlFromTheCostModel()
    {
        var spec = new LaneEngine.Spec(LutLanes: 3, DspLanes: 5, LutProductBits: 10, ShiftSelectBits: 2, ActivationBits: 5, AccumulatorBits: 20,
            LutWordBits: 13, DspWordBits: 8, RomDepth: 3000, MemoryDepth: 784);
        var e = LaneEngine.Price(Cost, spec);
        double lutLane = Cost.ShiftAddMultiplier(10, 4).Luts + Cost.Accumulator(20).Luts;
        Assert.Equal(3 * lutLane, e.LutCore.Luts, 9);
        Assert.Equal(3 * (20 + 13), e.LutCore.FlipFlops, 9);
        Assert.Equal(0, e.LutCore.Dsps);
        Assert.Equal(new Resources(0, 5 * 8, 5, 0), e.DspCore);
        // ROMs: 3000 x 13 -> 1 slice of 1024 x 18, 3 deep = 3 halves per LUT lane (2048 x 9 would need 2 x 2 = 4);
        // 3000 x 8 -> 2048 x 9 twice or 4096 x 4 twice = 2 halves per DSP lane.
        Assert.Equal(3 * 1.5 + 5 * 1.0, e.WeightRoms.Bram36, 9);
        Assert.Equal(2 * 0.5, e.ActivationMemories.Bram36, 9);
        Assert.Equal(2 * Cost.CoreControlLuts, e.Control.Luts, 9);
        Assert.Equal(e.LutCore.Luts + e.Control.Luts, e.Total.Luts, 9);
    }

    [Fact]
    public void AnEngineWithOneCorePaysOneControlAndNoLanesIsAnError()
    {
        var dspOnly = new LaneEngine.Spec(0, 4, 10, 2, 5, 20, 13, 8, 100, 100);
        Assert.Equal(Cost.CoreControlLuts, LaneEngine.Price(Cost, dspOnly).Control.Luts, 9);
        Assert.Equal(Resources.Zero, LaneEngine.Price(Cost, dspOnly).LutCore);
        var e = Assert.Throws<MixQException>(() => LaneEngine.Price(Cost, dspOnly with { DspLanes = 0 }));
        Assert.Contains("bad core sizes", e.Message);
    }
}
