using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using MixQ.Tensors;
using static MixQ.Quantization.Tests.Plans.PlanTestModels;

namespace MixQ.Quantization.Tests.Assignment;

public class StatisticAssignmentTests
{
    private const int Length = 200;

    /// <summary>Deterministic quantiles of a Laplace(0, b) distribution: a heavy-centre, long-tailed row.</summary>
    private static float[] LaplaceRow(double b) => Enumerable.Range(0, Length).Select(i =>
    {
        double u = (i + 0.5) / Length - 0.5;
        return (float)(-b * Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u)));
    }).ToArray();

    /// <summary>Evenly spaced values over [-a, a]: a flat row.</summary>
    private static float[] UniformRow(double a) => Enumerable.Range(0, Length).Select(i => (float)(a * (2 * (i + 0.5) / Length - 1))).ToArray();

    private static Tensor Rows(params float[][] rows) => Tensor.FromArray(rows.SelectMany(r => r).ToArray(), rows.Length, Length);

    [Fact]
    public void StatisticsMatchANaiveDoubleReference()
    {
        var rng = new Random(5);
        var data = Enumerable.Range(0, 3 * 77).Select(_ => (float)(rng.NextDouble() * 2 - 0.7)).ToArray();
        var stats = RowStatistics.Of(Tensor.FromArray(data, 3, 77));
        for (int r = 0; r < 3; r++)
        {
            var row = data.Skip(r * 77).Take(77).Select(x => (double)x).ToArray();
            double mean = row.Average();
            double m2 = row.Average(x => (x - mean) * (x - mean));
            double m4 = row.Average(x => Math.Pow(x - mean, 4));
            double max = row.Max(Math.Abs);
            Assert.Equal(m2, stats.Variance[r], 1e-6 * m2);
            Assert.Equal(m4 / (m2 * m2), stats.Kurtosis[r], 1e-5);
            Assert.Equal(m2 / (max * max), stats.RelativeVariance[r], 1e-6);
        }
        // Hand-computed: ±1 alternating has kurtosis 1; a constant row has zero variance and kurtosis 0 by convention.
        var handmade = RowStatistics.Of(Tensor.FromArray([1, -1, 1, -1, 2, 2, 2, 2], 2, 4));
        Assert.Equal(1, handmade.Kurtosis[0], 6);
        Assert.Equal(1, handmade.RelativeVariance[0], 6);
        Assert.Equal(0, handmade.Variance[1]);
        Assert.Equal(0, handmade.Kurtosis[1]);
    }

    [Fact]
    public void LaplaceRowsAreCentreHeavyByBothStatistics()
    {
        var stats = RowStatistics.Of(Rows(LaplaceRow(1), UniformRow(1)));
        Assert.InRange(stats.Kurtosis[0], 4.5, 6.5); // Laplace: 6 (quantiles of a finite sample: a little less)
        Assert.Equal(1.8, stats.Kurtosis[1], 2);     // uniform: 9/5
        Assert.InRange(stats.RelativeVariance[1], 0.33, 0.34); // 1/3, nudged by the finite grid's max
        Assert.True(stats.RelativeVariance[0] < 0.1);
    }

    [Theory]
    [InlineData(AssignmentRule.Kurtosis)]
    [InlineData(AssignmentRule.Variance)]
    public void SchemeFollowsTheShapeWhateverTheScale(AssignmentRule rule)
    {
        // The uniform rows are given the larger spread, so a raw-variance scheme rule would get this wrong.
        var w = Rows(UniformRow(3), LaplaceRow(0.1), UniformRow(2), LaplaceRow(0.2));
        var formats = RowAssigner.Assign(w, MixSpec.Parse(MixPresets.Msq), rule);
        Assert.Equal([Fixed4, Sp2x4, Fixed4, Sp2x4], formats);
        var withPot = RowAssigner.Assign(w, MixSpec.Parse("fixed-4:50,pot-4:25,sp2-4:25"), rule);
        // PoT packs its levels tightest, so it takes the most centre-heavy row (the Laplace rows are equally heavy;
        // the tie goes to the lower row index under the kurtosis rule and to the smaller relative variance otherwise).
        Assert.Equal(2, withPot.Count(f => f == Fixed4));
        Assert.Equal(Fixed4, withPot[0]);
        Assert.Equal(Fixed4, withPot[2]);
        Assert.Contains(NumberFormat.PowerOfTwo(4), new[] { withPot[1], withPot[3] });
    }

    [Theory]
    [InlineData(AssignmentRule.Kurtosis)]
    [InlineData(AssignmentRule.Variance)]
    public void TheRowsWithTheLargestVarianceGetTheMostBits(AssignmentRule rule)
    {
        // Variances: 0.0133, 3.0, 0.33, 0.02 (uniform a: a^2/3; Laplace b: 2 b^2).
        var w = Rows(LaplaceRow(0.08), UniformRow(3), UniformRow(1), LaplaceRow(0.1));
        var formats = RowAssigner.Assign(w, MixSpec.Parse("sp2-4:25,fixed-4:25,fixed-8:50"), rule);
        Assert.Equal(Fixed8, formats[1]);
        Assert.Equal(Fixed8, formats[2]);
        // The two 4-bit rows are both Laplace-shaped (equally centre-heavy), so each 4-bit format takes one of them.
        Assert.Equal(new HashSet<NumberFormat> { Sp2x4, Fixed4 }, new HashSet<NumberFormat> { formats[0], formats[3] });

        // A three-way mix: the largest-variance row takes fixed-8, then the shape decides among the rest.
        var w2 = Rows(UniformRow(0.5), LaplaceRow(0.3), UniformRow(4), LaplaceRow(0.2));
        var f2 = RowAssigner.Assign(w2, MixSpec.Parse("sp2-4:50,fixed-4:25,fixed-8:25"), rule);
        Assert.Equal([Fixed4, Sp2x4, Fixed8, Sp2x4], f2);
    }
}
