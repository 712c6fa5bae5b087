using MixQ.Codegen.Design;
using MixQ.Codegen.Gemm;
using MixQ.Codegen.Synthesis;
using MixQ.Codegen.Tests.Support;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Codegen.Tests.Synthesis;

/// <summary>The cost-model prediction of a generated GEMM engine prices the lanes the generator built, core by core.</summary>
public sealed class GemmPredictionTests
{
    private static readonly FpgaDevice Z020 = DeviceCatalog.Resolve("XC7Z020");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TheLutLaneShiftsAsFarAsTheLargestPowerInItsWeights(int seed)
    {
        var model = SmallModels.ConvNet(seed);
        var design = GemmDesign.Build(model);
        // Independent of shift codes: a PoT/SP2 weight on its row frame is ±(2^sA + 2^sB), so its largest shift is
        // the index of the top set bit of |value| — or one less when SP2 writes a power of two as two equal terms
        // (1 = 1/2 + 1/2). That the narrowed lanes still compute every product is checked by GemmSimulationTests.
        int expected = 0;
        foreach (var w in model.Layers.Select(l => l switch { IntDense d => d.Weights, IntConv2d c => c.Weights, _ => null }).OfType<IntegerWeights>())
            for (int r = 0; r < w.Rows; r++)
                if (w.RowFormats[r].Scheme is QuantScheme.SP2 or QuantScheme.PowerOfTwo)
                    for (int k = 0; k < w.RowLength; k++)
                    {
                        long v = Math.Abs(w.Value(r, k));
                        if (v != 0) expected = Math.Max(expected, 63 - (int)ulong.LeadingZeroCount((ulong)v));
                    }
        Assert.InRange(design.MaxLutShift, expected - 1, expected);
        Assert.Equal(Math.Min(design.AccumulatorBits, design.ActivationBits + design.MaxLutShift + 2), design.LutProductBits);
        Assert.Contains($"ax <<< w0[{6 + design.ShiftFieldBits - 1}:6]", design.Verilog());
    }

    [Fact]
    public void PredictionRowsAreTheCoreModulesAndPriceTheirLanes()
    {
        var design = GemmDesign.Build(SmallModels.ConvNet(1));
        var p = CostPrediction.ForGemm(Z020, design);
        var manifest = design.Manifest();
        Assert.Equal(manifest.Modules.Select(m => m.Module), p.Layers.Select(l => l.Layer));
        Assert.Equal(CostPrediction.GeneratedDesignBasis, p.Basis);
        var cost = CostModel.Default;
        var lut = p.Layers.Single(l => l.Layer == "mixq_lut_core");
        double lane = cost.ShiftAddMultiplier(design.LutProductBits, 2 * design.ShiftFieldBits).Luts + cost.Accumulator(design.AccumulatorBits).Luts;
        Assert.Equal(design.LutLanes * lane, lut.Luts, 6);
        Assert.Equal(design.DspLanes, p.Layers.Single(l => l.Layer == "mixq_dsp_core").Dsps);
        Assert.Equal(design.InputBeats + design.ScheduledComputeCycles, p.Total.Cycles);
        Assert.True(p.Total.Luts > lut.Luts);
    }

    [Fact]
    public void SynthesisOfAGemmDesignIsComparedCoreByCoreAndOldPredictionsAreNot()
    {
        var design = GemmDesign.Build(SmallModels.ConvNet(1));
        var manifest = design.Manifest();
        var p = CostPrediction.ForGemm(Z020, design);
        var modules = new Dictionary<string, ResourceCount>
        {
            ["mixq_lut_core"] = new(200, 100, 0, 1, 10),
            ["mixq_dsp_core"] = new(10, 50, 3, 1, 0),
        };
        var report = new SynthesisReport(modules, new ResourceCount(900, 600, 5, 3, 40), new Dictionary<string, long>());
        var c = SynthesisComparison.Build(manifest, report, p);
        Assert.True(c.Comparable);
        var lutRow = c.Rows.Single(r => r.Module == "mixq_lut_core");
        Assert.Equal((p.Layers[0].Luts - 200) / 200, lutRow.LutError!.Value, 9);
        Assert.Equal((p.Total.Luts - 900) / 900, c.Total.LutError!.Value, 9);

        var old = p with { Basis = null };
        var o = SynthesisComparison.Build(manifest, report, old);
        Assert.False(o.Comparable);
        Assert.Null(o.Total.LutError);
        Assert.All(o.Rows, r => Assert.Null(r.Predicted));
    }
}
