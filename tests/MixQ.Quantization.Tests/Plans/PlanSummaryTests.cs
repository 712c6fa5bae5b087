using MixQ.Quantization.Assignment;
using MixQ.Quantization.Plans;
using static MixQ.Quantization.Tests.Plans.PlanTestModels;

namespace MixQ.Quantization.Tests.Plans;

public class PlanSummaryTests
{
    /// <summary>4 rows x 10 all 8-bit; 5 rows x 6 with three sp2-4, one fixed-4, one fixed-8; 2 rows x 3 at 8 bits.</summary>
    private static QuantizationPlan Plan() => new(
        "rmsmp", "tiny", Rmsmp, AssignmentRule.Error, 0, 4, EdgeLayerPolicy.Default,
        [
            new LayerPlan("a", LayerKind.Conv2d, 10, [Fixed8, Fixed8, Fixed8, Fixed8], LayerRole.First),
            new LayerPlan("b", LayerKind.Linear, 6, [Sp2x4, Fixed4, Sp2x4, Fixed8, Sp2x4], LayerRole.Inner),
            new LayerPlan("c", LayerKind.Linear, 3, [Fixed8, Fixed8], LayerRole.Last),
        ]);

    [Fact]
    public void CountsAndWeightedAverageBitsMatchHandComputation()
    {
        var summary = PlanSummary.Of(Plan());
        Assert.Equal([Sp2x4, Fixed4, Fixed8], summary.Formats);
        Assert.Equal([0, 0, 4], summary.Layers[0].Counts);
        Assert.Equal([3, 1, 1], summary.Layers[1].Counts);
        Assert.Equal([0, 0, 2], summary.Layers[2].Counts);
        Assert.Equal(8.0, summary.Layers[0].AverageBits);
        Assert.Equal(24.0 / 5, summary.Layers[1].AverageBits, 12); // (3*4 + 4 + 8) / 5
        Assert.Equal(8.0, summary.Layers[2].AverageBits);
        Assert.Equal([40L, 30L, 6L], summary.Layers.Select(l => l.Weights));
        // Total, weighted by weights: (40*8 + 6*(3*4 + 4 + 8) + 6*8) / 76 = 512 / 76.
        Assert.Equal(512.0 / 76, summary.Total.AverageBits, 12);
        Assert.Equal(76, summary.Total.Weights);
        Assert.Equal(11, summary.Total.Rows);
        Assert.Equal([3, 1, 7], summary.Total.Counts);
    }

    [Fact]
    public void RendersATableWithOneLinePerLayerAndATotal()
    {
        var lines = PlanSummary.Of(Plan()).Render();
        Assert.Contains("method rmsmp", lines[0]);
        Assert.Contains("mix sp2-4:60,fixed-4:35,fixed-8:5", lines[0]);
        Assert.Contains("rule error", lines[0]);
        Assert.Contains("activations 4-bit", lines[0]);
        Assert.Equal("first layer: fixed-8, last layer: fixed-8", lines[1]);
        string header = lines[2];
        Assert.StartsWith("layer", header);
        Assert.Contains("sp2-4", header);
        Assert.EndsWith("avg bits", header);
        Assert.Equal(2 + 1 + 3 + 1, lines.Count);
        Assert.StartsWith("a (first)", lines[3]);
        Assert.EndsWith("8.000", lines[3]);
        Assert.StartsWith("b ", lines[4]);
        Assert.EndsWith("4.800", lines[4]);
        Assert.StartsWith("total", lines[6]);
        Assert.EndsWith((512.0 / 76).ToString("F3", System.Globalization.CultureInfo.InvariantCulture), lines[6]);
        // Columns line up: every table line ends at the same width (numbers are right-aligned).
        Assert.Single(lines.Skip(2).Select(l => l.Length).Distinct());
        Assert.All(lines, l => Assert.DoesNotContain('\n', l));
    }

    [Fact]
    public void AverageBitsOfABuiltPlanFollowTheMixBetweenTheEdges()
    {
        var model = MlpOf(3, 8, 100, 100, 4);
        var plan = PlanBuilder.Build(model, new PlanOptions { Mix = Rmsmp });
        var summary = PlanSummary.Of(plan);
        // Inner layer: 100 rows -> 60 sp2-4, 35 fixed-4, 5 fixed-8 -> (95*4 + 5*8) / 100 = 4.2 bits.
        Assert.Equal(4.2, summary.Layers[1].AverageBits, 12);
        double expected = (800 * 8 + 10000 * 4.2 + 400 * 8) / 11200;
        Assert.Equal(expected, summary.Total.AverageBits, 12);
    }
}
