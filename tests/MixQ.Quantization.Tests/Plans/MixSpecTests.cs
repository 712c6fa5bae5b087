using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using static MixQ.Quantization.Tests.Plans.PlanTestModels;

namespace MixQ.Quantization.Tests.Plans;

public class MixSpecTests
{
    [Fact]
    public void ParsesFormatsAndSharesInOrder()
    {
        var mix = MixSpec.Parse("sp2-4:60,fixed-4:35,fixed-8:5");
        Assert.Equal([Sp2x4, Fixed4, Fixed8], mix.Formats);
        Assert.Equal([60m, 35m, 5m], mix.Entries.Select(e => e.Percent));
        Assert.True(mix.IsMultiPrecision);
        Assert.False(MixSpec.Parse(MixPresets.Msq).IsMultiPrecision);
    }

    [Fact]
    public void AcceptsSpacesPercentSignsDecimalsAndCaseAndPrintsCanonically()
    {
        var mix = MixSpec.Parse(" SP2-4 : 62.50% , fixed-4:37.5 ");
        Assert.Equal("sp2-4:62.5,fixed-4:37.5", mix.ToString());
        Assert.Equal(mix, MixSpec.Parse(mix.ToString()));
        Assert.Equal("fixed-8:100", MixSpec.Single(Fixed8).ToString());
    }

    [Theory]
    [InlineData("sp2-4:60,fixed-4:30", "sum to 90, not 100")]
    [InlineData("sp2-4:60,fixed-4:50", "sum to 110, not 100")]
    [InlineData("sp2-4:33.3,fixed-4:66.6", "sum to 99.9, not 100")]
    [InlineData("foo-4:100", "unknown scheme 'foo'")]
    [InlineData("sp2-9:100", "bits must be between 2 and 8, got 9")]
    [InlineData("fixed-1:100", "bits must be between 2 and 8, got 1")]
    [InlineData("fixed-4:50,FIXED-4:50", "fixed-4 appears more than once")]
    [InlineData("sp2-4:-10,fixed-4:110", "must not be negative")]
    [InlineData("sp2-4:abc,fixed-4:50", "'abc' in 'sp2-4:abc' is not a number")]
    [InlineData("sp2-4:1e2", "is not a number")]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("sp2-4:50,,fixed-4:50", "empty entry")]
    [InlineData("sp2-4:50,", "empty entry")]
    [InlineData("sp2-4", "has no share")]
    public void RejectsBadMixesWithOneClearLine(string text, string expected)
    {
        var e = Assert.Throws<MixQException>(() => MixSpec.Parse(text, "--mix"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("--mix", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void CountsOfHandComputedCases()
    {
        // 10 rows of 60:35:5 -> quotas 6, 3.5, 0.5: one row left over, a tie, first listed (fixed-4) wins.
        Assert.Equal([6, 4, 0], Rmsmp.CountsFor(10));
        Assert.Equal([12, 7, 1], Rmsmp.CountsFor(20));
        Assert.Equal([39, 22, 3], Rmsmp.CountsFor(64)); // 38.4, 22.4, 3.2 -> 38, 22, 3 + 1 to the largest .4 (first)
        Assert.Equal([4, 3], MixSpec.Parse("sp2-4:50,fixed-4:50").CountsFor(7));
        Assert.Equal([4, 3], MixSpec.Parse("fixed-4:50,sp2-4:50").CountsFor(7)); // the tie follows listing order
        Assert.Equal([3, 3, 4], MixSpec.Parse("sp2-4:33.3,fixed-4:33.3,fixed-8:33.4").CountsFor(10));
        Assert.Equal([0, 0, 0], Rmsmp.CountsFor(0));
        Assert.Equal([0, 3], MixSpec.Parse("fixed-8:0,fixed-4:100").CountsFor(3));
    }

    [Fact]
    public void CountsSumToRowsAndStayWithinOneRowOfTheExactQuota()
    {
        var mixes = new[] { MixPresets.Rmsmp, MixPresets.Msq, MixPresets.Ilmpq, "sp2-4:12.5,fixed-4:12.5,fixed-8:75", "pot-4:1,sp2-4:2,fixed-4:3,fixed-8:94" }
            .Select(t => MixSpec.Parse(t)).ToArray();
        foreach (var mix in mixes)
        {
            for (int rows = 0; rows <= 2100; rows += rows < 64 ? 1 : 37)
            {
                var counts = mix.CountsFor(rows);
                Assert.Equal(rows, counts.Sum());
                for (int i = 0; i < counts.Length; i++)
                {
                    double quota = rows * (double)mix.Entries[i].Percent / 100;
                    Assert.True(Math.Abs(counts[i] - quota) < 1, $"{mix} rows {rows}: count {counts[i]} vs quota {quota}");
                    // Largest remainder never rounds a quota the "wrong" way by more than its floor/ceiling.
                    Assert.InRange(counts[i], Math.Floor(quota), Math.Ceiling(quota));
                }
            }
        }
    }

    [Fact]
    public void LargestRemainderGivesLeftoversToTheLargestFractions()
    {
        // 7 rows of 45:35:20 -> quotas 3.15, 2.45, 1.4: floors 3, 2, 1, one left over goes to 2.45.
        Assert.Equal([3, 3, 1], MixSpec.Parse("sp2-4:45,fixed-4:35,fixed-8:20").CountsFor(7));
        // 9 rows -> 4.05, 3.15, 1.8: floors 4, 3, 1, one left over goes to 1.8.
        Assert.Equal([4, 3, 2], MixSpec.Parse("sp2-4:45,fixed-4:35,fixed-8:20").CountsFor(9));
    }

    [Fact]
    public void PresetsMatchTheDocumentedMixes()
    {
        Assert.Equal("fixed-4:100", MixPresets.For("fixed").ToString());
        Assert.Equal("pot-4:100", MixPresets.For("pot").ToString());
        Assert.Equal("sp2-4:100", MixPresets.For("sp2").ToString());
        Assert.Equal("sp2-4:50,fixed-4:50", MixPresets.For("msq").ToString());
        Assert.Equal("sp2-4:60,fixed-4:35,fixed-8:5", MixPresets.For("RMSMP").ToString());
        Assert.Equal("fixed-4:95,fixed-8:5", MixPresets.For("ilmpq").ToString());
        Assert.Equal(NumberFormat.PowerOfTwo(4), MixPresets.For("pot").Formats.Single());
        var e = Assert.Throws<MixQException>(() => MixPresets.For("hgq"));
        Assert.Contains("fixed, pot, sp2, msq, rmsmp, ilmpq", e.Message);
    }
}
