using MixQ.Codegen.Arithmetic;
using MixQ.Codegen.Design;
using MixQ.Codegen.Synthesis;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Vectors;
using MixQ.Codegen.Verilog;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;
using Xunit.Abstractions;

namespace MixQ.Codegen.Tests.Synthesis;

/// <summary>
/// The prediction of an unrolled design prices the design the generator built (row-wise and HGQ), module by module,
/// and yosys agrees with it within the tolerances docs/cost-model.md states.
/// </summary>
public sealed class UnrolledPredictionTests(ITestOutputHelper output)
{
    private static readonly FpgaDevice Z020 = DeviceCatalog.Resolve("XC7Z020");

    /// <summary>Stated tolerances: per module LUT and FF within 20% (or 25 cells for small modules), DSPs exact; the total within 15%.</summary>
    private const double ModuleTolerance = 0.20, TotalTolerance = 0.15, SmallModuleCells = 25;

    private static IntegerModel Model(string kind) => kind switch
    {
        "mlp" => SmallModels.Mlp(4),
        "conv" => SmallModels.ConvNet(21),
        "hgq-mlp" => HgqModels.Mlp(5, RoundingMode.RoundHalfUp, OverflowMode.Saturate),
        "hgq-mlp-wrap" => HgqModels.Mlp(6, RoundingMode.RoundHalfEven, OverflowMode.Wrap),
        "hgq-mlp-sym" => HgqModels.Mlp(7, RoundingMode.Truncate, OverflowMode.SymmetricSaturate),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Fact]
    public void ATreeOfEqualUnshiftedLeavesCostsWhatTheCalibratedPipelinedTreeCosts()
    {
        // Independent reference: CostModel.AdderTree prices the ptree calibration blocks (k signed n-bit inputs, one
        // bit wider per level, every level registered) — the same structure as a row of k positive s8 terms.
        var cost = CostModel.Default;
        foreach (int k in new[] { 2, 4, 8, 16 })
        {
            var terms = Enumerable.Range(0, k).Select(i => new ShiftAddTerm(i, 0, false)).ToList();
            var ranges = Enumerable.Repeat((-128L, 127L), k).ToArray();
            var tree = AdderTree.Build(terms, 0, ranges, AdderTree.LevelsFor(k));
            var price = UnrolledPrice.Tree(tree, cost);
            var reference = cost.AdderTree(k, 8);
            Assert.Equal(reference.Luts, price.Luts, 6);
            Assert.Equal(reference.FlipFlops, price.FlipFlops, 6);
        }
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("conv")]
    [InlineData("hgq-mlp")]
    public void PredictionRowsAreTheGeneratedModulesForBothFamilies(string kind)
    {
        var model = Model(kind);
        var design = UnrolledDesign.Build(model);
        var prediction = CostPrediction.Compute(model, "unrolled");
        Assert.Equal(["xc7", "xcup"], prediction.Families.Keys.Order());
        foreach (var family in prediction.Families.Values)
        {
            Assert.Equal(CostPrediction.GeneratedDesignBasis, family.Basis);
            Assert.Equal("unrolled", family.Architecture);
            Assert.Equal(design.Stages.Select(s => s.Module), family.Layers.Select(l => l.Layer));
            Assert.Equal(family.Layers.Sum(l => l.Luts), family.Total.Luts, 6);
            Assert.Equal(family.Layers.Sum(l => l.FlipFlops), family.Total.FlipFlops, 6);
            Assert.Equal(design.Input.Beats, family.Total.Cycles);
            Assert.All(family.Layers, l => Assert.True(l.Luts > 0 && l.FlipFlops > 0, $"{l.Layer} is priced at nothing"));
        }
        // HGQ's shift requantization has no multiplier, so an HGQ design without requantize layers uses no DSPs.
        if (kind == "hgq-mlp") Assert.Equal(0, prediction.Families["xc7"].Total.Dsps);
    }

    [Fact]
    public void TheRequantizationMultiplierTakesTheDspSlicesYosysGaveTheCalibrationBlocks()
    {
        foreach (var e in CalibrationTable.Default.Blocks.Where(b => b.Kind == Hardware.Synthesis.BlockKind.RequantMultiplier))
            Assert.True(e.Dsps == CostModel.MultiplierDsps(e.Width, e.WeightBits + 1, DspKind.DSP48E1), $"{e.Name}: yosys {e.Dsps} DSPs, rule {CostModel.MultiplierDsps(e.Width, e.WeightBits + 1, DspKind.DSP48E1)}");
    }

    /// <summary>
    /// Tool in the loop: the generated designs of the golden mlp and conv models and of a small HGQ mlp, synthesized
    /// with yosys (xc7), against the prediction module by module and in total. Set MIXQ_KEEP_SYNTH=DIR to keep the
    /// design folders (an unchanged design is then not synthesized again).
    /// </summary>
    [SkippableTheory]
    [InlineData("mlp")]
    [InlineData("conv")]
    [InlineData("hgq-mlp")]
    [InlineData("hgq-mlp-wrap")]
    [InlineData("hgq-mlp-sym")]
    public void YosysAgreesWithThePredictionWithinTheStatedTolerance(string kind)
    {
        Tool.Require("yosys");
        var model = Model(kind);
        string? keep = Environment.GetEnvironmentVariable("MIXQ_KEEP_SYNTH");
        using var temp = new TempFolder("unrolled-price");
        string dir = keep is null ? temp.Path : Path.Combine(keep, kind);
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), kind.StartsWith("hgq", StringComparison.Ordinal) ? HgqModels.Inputs(2, 5) : SmallModels.Inputs(model, 2, 5), 2);
        var manifest = DesignWriter.Write(model, "unrolled", vectors, dir);
        SynthesisReport report;
        try { report = DesignSynthesis.Reuse(dir, "xc7").Report; }
        catch (MixQException) { report = DesignSynthesis.Run(dir, "xc7", TimeSpan.FromMinutes(20)).Report; }
        var prediction = CostPrediction.ForUnrolled(Z020, UnrolledDesign.Build(model));
        var comparison = SynthesisComparison.Build(manifest, report, prediction);
        Assert.True(comparison.Comparable);
        var failures = new List<string>();
        foreach (var row in comparison.Rows.Append(comparison.Total))
        {
            var p = row.Predicted!;
            var s = row.Synthesized;
            output.WriteLine($"{kind} {row.Module}: LUT {p.Luts:F0} / {s.Luts} ({Error(p.Luts, s.Luts):+0.0%;-0.0%}), FF {p.FlipFlops:F0} / {s.FlipFlops} ({Error(p.FlipFlops, s.FlipFlops):+0.0%;-0.0%}), DSP {p.Dsps} / {s.Dsps}");
            bool total = row == comparison.Total;
            double tolerance = total ? TotalTolerance : ModuleTolerance;
            double slack = total ? 0 : SmallModuleCells;
            if (Math.Abs(p.Luts - s.Luts) > Math.Max(slack, tolerance * s.Luts)) failures.Add($"{row.Module} LUT {p.Luts:F0} vs {s.Luts}");
            if (Math.Abs(p.FlipFlops - s.FlipFlops) > Math.Max(slack, tolerance * s.FlipFlops)) failures.Add($"{row.Module} FF {p.FlipFlops:F0} vs {s.FlipFlops}");
            if (p.Dsps != s.Dsps) failures.Add($"{row.Module} DSP {p.Dsps} vs {s.Dsps}");
        }
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }

    private static double Error(double predicted, double synthesized) => synthesized == 0 ? 0 : (predicted - synthesized) / synthesized;
}
