using MixQ.Quantization.Assignment;
using MixQ.Quantization.Plans;
using static MixQ.Quantization.Tests.Plans.PlanTestModels;

namespace MixQ.Quantization.Tests.Assignment;

public class RandomAssignmentTests
{
    [Fact]
    public void SameSeedSameOrderOtherSeedOtherOrderAndCountsAlwaysHold()
    {
        int[] counts = [60, 35, 5];
        var a = RandomAssignment.Assign(counts, new Random(11));
        Assert.Equal(a, RandomAssignment.Assign(counts, new Random(11)));
        Assert.NotEqual(a, RandomAssignment.Assign(counts, new Random(12)));
        for (int f = 0; f < 3; f++) Assert.Equal(counts[f], a.Count(x => x == f));
        // Not just the sorted labels: the rows are actually shuffled.
        Assert.NotEqual(Enumerable.Range(0, 100).Select(r => r < 60 ? 0 : r < 95 ? 1 : 2), a);
    }

    [Fact]
    public void EveryRowIsEquallyLikelyToGetEachFormat()
    {
        // Over many seeds, row r takes format 0 with probability 3/4 (counts 3 of 4): a chi-square-free sanity bound.
        int trials = 4000;
        var hits = new int[4];
        for (int s = 0; s < trials; s++)
        {
            var a = RandomAssignment.Assign([3, 1], new Random(s));
            for (int r = 0; r < 4; r++) hits[r] += a[r] == 1 ? 1 : 0;
        }
        // Binomial(4000, 1/4): mean 1000, sd 27.4; allow 5 sd.
        Assert.All(hits, h => Assert.InRange(h, 863, 1137));
    }

    [Fact]
    public void PlansFromTheRandomRuleAreDeterministicPerSeedAndDifferAcrossLayers()
    {
        var model = MlpOf(1, 5, 60, 60, 60, 3);
        PlanOptions Options(int seed) => new() { Mix = Rmsmp, Rule = AssignmentRule.Random, Seed = seed };
        var first = PlanBuilder.Build(model, Options(5));
        Assert.Equal(first, PlanBuilder.Build(model, Options(5)));
        Assert.NotEqual(first, PlanBuilder.Build(model, Options(6)));
        Assert.NotEqual(first.Layers[1].RowFormats, first.Layers[2].RowFormats);
        foreach (var layer in first.Layers.Skip(1).SkipLast(1))
            Assert.Equal([36, 21, 3], Rmsmp.Formats.Select(layer.CountOf));
        Assert.NotEqual(RandomAssignment.DeriveSeed(5, 0), RandomAssignment.DeriveSeed(5, 1));
        Assert.NotEqual(RandomAssignment.DeriveSeed(5, 0), RandomAssignment.DeriveSeed(6, 0));
    }
}
