using FsCheck;
using FsCheck.Fluent;
using MixQ.Codegen.Arithmetic;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Codegen.Tests.Arithmetic;

public sealed class CsdTests
{
    [Fact]
    public void DigitsSumToTheValueAndAreNonAdjacent() =>
        Prop.ForAll(Gen.Choose(-1 << 30, 1 << 30).ToArbitrary(), v =>
        {
            var digits = Csd.Digits(v);
            bool sums = digits.Sum(d => d.Value) == v;
            bool nonAdjacent = digits.Zip(digits.Skip(1)).All(p => p.Second.Shift - p.First.Shift >= 2);
            return sums && nonAdjacent;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void WeightIsTheFewestSignedPowersOfTwo()
    {
        // Independent reference: breadth-first search over sums of ±2^k (k < 12) for every |v| <= 300.
        const int limit = 4096;
        var best = new Dictionary<long, int> { [0] = 0 };
        var frontier = new List<long> { 0 };
        for (int depth = 1; depth <= 6; depth++)
        {
            var next = new List<long>();
            foreach (long s in frontier)
                for (int k = 0; k < 12; k++)
                    foreach (long t in new[] { s + (1L << k), s - (1L << k) })
                        if (Math.Abs(t) <= limit && best.TryAdd(t, depth)) next.Add(t);
            frontier = next;
        }
        for (long v = -300; v <= 300; v++) Assert.Equal(best[v], Csd.Weight(v));
    }

    [Theory]
    [InlineData(QuantScheme.Fixed)]
    [InlineData(QuantScheme.SP2)]
    [InlineData(QuantScheme.PowerOfTwo)]
    public void ShiftAddRowsComputeTheDotProduct(QuantScheme scheme)
    {
        var rng = new Random(11 + (int)scheme);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.Next(1, 40);
            var w = new long[n];
            var x = new long[n];
            for (int i = 0; i < n; i++)
            {
                w[i] = scheme switch
                {
                    QuantScheme.Fixed => rng.Next(-127, 128),
                    QuantScheme.PowerOfTwo => rng.Next(3) == 0 ? 0 : (rng.Next(2) == 0 ? -1 : 1) * (1L << rng.Next(8)),
                    _ => (rng.Next(2) == 0 ? -1 : 1) * ((rng.Next(3) == 0 ? 0 : 1L << rng.Next(8)) + (rng.Next(3) == 0 ? 0 : 1L << rng.Next(8))),
                };
                x[i] = rng.Next(-128, 256);
            }
            var terms = ShiftAdd.Row(w, scheme);
            long expected = 0;
            for (int i = 0; i < n; i++) expected += w[i] * x[i];
            Assert.Equal(expected, ShiftAdd.Evaluate(terms, x));
            if (scheme != QuantScheme.Fixed)
                Assert.All(Enumerable.Range(0, n), i => Assert.True(terms.Count(t => t.Input == i) <= 2));
        }
    }

    [Fact]
    public void Sp2RowsRejectValuesWithThreePowers() =>
        Assert.Throws<ArgumentException>(() => ShiftAdd.Row([7], QuantScheme.SP2));
}
