using MixQ.Hardware.Cost;

namespace MixQ.Hardware.Tests.Cost;

public sealed class CsdTests
{
    [Fact]
    public void DigitsRebuildTheValueAndAreNonAdjacent()
    {
        for (long v = -5000; v <= 5000; v++)
        {
            var digits = Csd.Digits(v);
            Assert.Equal(v, Csd.Value(digits));
            var shifts = digits.Select(d => d.Shift).OrderBy(s => s).ToArray();
            for (int i = 1; i < shifts.Length; i++) Assert.True(shifts[i] - shifts[i - 1] >= 2, $"{v}: adjacent digits");
        }
    }

    [Fact]
    public void DigitCountIsMinimalAgainstABruteForceSearch()
    {
        // Minimal signed-digit weight by breadth-first search over sums of +-2^k (k < 12).
        for (long v = 1; v <= 300; v++) Assert.Equal(MinimalWeight(v), Csd.Weight(v));
    }

    [Theory]
    [InlineData(7, 2)]   // 8 - 1
    [InlineData(5, 2)]   // 4 + 1
    [InlineData(15, 2)]  // 16 - 1
    [InlineData(11, 3)]  // 16 - 4 - 1
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void HandCheckedWeights(long value, int weight) => Assert.Equal(weight, Csd.Weight(value));

    private static int MinimalWeight(long target)
    {
        var seen = new HashSet<long> { 0 };
        var frontier = new List<long> { 0 };
        for (int depth = 1; depth < 8; depth++)
        {
            var next = new List<long>();
            foreach (long s in frontier)
                for (int k = 0; k < 12; k++)
                    foreach (long t in new[] { s + (1L << k), s - (1L << k) })
                    {
                        if (t == target) return depth;
                        if (seen.Add(t)) next.Add(t);
                    }
            frontier = next;
        }
        throw new InvalidOperationException("not found");
    }
}
