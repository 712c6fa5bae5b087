using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Estimate;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Tests.Estimate;

public sealed class EstimatorTests
{
    private static readonly FpgaDevice Z020 = DeviceCatalog.Find("XC7Z020")!;

    private static QuantizationPlan Plan(params LayerPlan[] layers) =>
        new("test", null, MixSpec.Parse("sp2-4:50,fixed-4:50"), AssignmentRule.Error, 0, 4, EdgeLayerPolicy.FollowMix, layers);

    [Fact]
    public void UnrolledEbopsAndLutsFollowTheWeightsByHand()
    {
        var fixed4 = NumberFormat.Fixed(4);
        var sp2 = NumberFormat.Sp2(4);
        var shape = new LayerShape("fc", LayerKind.Linear, 2, 3, 1, 3);
        var plan = Plan(new LayerPlan("fc", LayerKind.Linear, 3, [fixed4, sp2], LayerRole.Only));
        // Row 0 (fixed-4): 3 = 0b11 (span 2), 0, 5 = 0b101 (span 3). Row 1 (SP2-4, grid x8): 6 = 0b110 (span 2), 8 (span 1), 1 (span 1).
        var levels = new WeightLevels("fc", [fixed4, sp2], [[3, 0, 5], [6, 8, 1]]);
        var cost = CostModel.Default;
        var e = Estimator.Unrolled(Z020, cost, [shape], plan, [levels]);
        Assert.Equal(4.0 * (2 + 3 + 2 + 1 + 1), e.Ebops);
        double expectedLuts = cost.ConstantMultiplier(fixed4, 3, 4).Luts + cost.ConstantMultiplier(fixed4, 5, 4).Luts + cost.AdderTree(2, CostModel.ProductBits(fixed4, 4)).Luts
                              + cost.ConstantMultiplier(sp2, 6, 4).Luts + cost.AdderTree(3, CostModel.ProductBits(sp2, 4)).Luts;
        Assert.Equal(expectedLuts, e.Total.Luts, 9);
        Assert.Equal(0, cost.ConstantMultiplier(sp2, 8, 4).Luts); // a single power of two is wiring
        Assert.Equal(0, e.Total.Dsps);
        Assert.Equal(1, e.Cycles);
        Assert.Equal(Z020.ClockMHz * 1e6, e.FramesPerSecond, 6);
    }

    [Fact]
    public void GemmCountsMacsPerCoreAndWeightMemory()
    {
        var fixed4 = NumberFormat.Fixed(4);
        var sp2 = NumberFormat.Sp2(4);
        var shapes = new[]
        {
            new LayerShape("conv", LayerKind.Conv2d, 4, 27, 100, 300),
            new LayerShape("fc", LayerKind.Linear, 10, 400, 1, 400),
        };
        var plan = Plan(
            new LayerPlan("conv", LayerKind.Conv2d, 27, [sp2, sp2, fixed4, fixed4], LayerRole.First),
            new LayerPlan("fc", LayerKind.Linear, 400, Enumerable.Repeat(NumberFormat.Fixed(8), 10), LayerRole.Last));
        var e = Estimator.Gemm(Z020, CostModel.Default, shapes, plan);
        Assert.Equal(4 * 27 * 100 + 10 * 400, e.Macs);
        Assert.Equal(2 * 27 * 100, e.Layers[0].LutCoreMacs);
        Assert.Equal(2 * 27 * 100, e.Layers[0].DspCoreMacs);
        Assert.Equal(4000, e.Layers[1].DspCoreMacs);
        Assert.Equal(4.0 * 27 * 4 / 36864, e.Layers[0].Bram36, 12);
        Assert.Equal(8.0 * 4000 / 36864, e.Layers[1].Bram36, 12);
        // One BRAM holds all weights; two activation buffers of one BRAM each.
        Assert.Equal(3, e.Total.Bram36);
        Assert.True(e.Fits);
        Assert.Equal(e.Layers.Sum(l => l.Cycles), e.Cycles);
        Assert.Equal(Z020.ClockMHz * 1e6 / e.Cycles, e.FramesPerSecond, 6);
    }

    [Fact]
    public void ADesignBiggerThanTheDeviceSaysByHowMuch()
    {
        var small = new FpgaDevice("small", 10, 1000, DspKind.DSP48E1, 0, 0, 100);
        var fixed8 = NumberFormat.Fixed(8);
        var shape = new LayerShape("fc", LayerKind.Linear, 1, 4, 1, 4);
        var plan = Plan(new LayerPlan("fc", LayerKind.Linear, 4, [fixed8], LayerRole.Only));
        var e = Estimator.Unrolled(small, CostModel.Default, [shape], plan, [new WeightLevels("fc", [fixed8], [[127, 91, 85, 109]])]);
        Assert.False(e.Fits);
        var over = Assert.Single(e.Overruns);
        Assert.Equal("LUT", over.Resource);
        Assert.Equal(e.Total.Luts - 10, over.Excess, 9);
    }
}
