using MixQ.Codegen.Arithmetic;

namespace MixQ.Codegen.Tests.Arithmetic;

/// <summary>
/// The pipelined adder tree against the dot product written out term by term (the reference): same value for every
/// input, every node wide enough for every value it can hold, exactly as many adders as leaves minus one, and the
/// depth the pipeline is given.
/// </summary>
public sealed class AdderTreeTests
{
    private static readonly (long Lo, long Hi)[] Taps = [(-8, 7), (0, 15), (-128, 127), (0, 1), (-1, 0), (0, 255)];

    private static long Reference(IReadOnlyList<ShiftAddTerm> terms, long bias, IReadOnlyList<long> x) =>
        bias + terms.Sum(t => (t.Negative ? -1 : 1) * (x[t.Input] << t.Shift));

    private static List<ShiftAddTerm> RandomTerms(Random rng, int count) =>
        Enumerable.Range(0, count).Select(_ => new ShiftAddTerm(rng.Next(Taps.Length), rng.Next(6), rng.Next(2) == 0)).ToList();

    [Fact]
    public void ComputesTheDotProductForEveryInput()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            var terms = RandomTerms(rng, rng.Next(0, 40));
            long bias = rng.Next(3) == 0 ? 0 : rng.Next(-5000, 5000);
            int levels = AdderTree.LevelsFor(AdderTree.LeafCount(terms, bias)) + rng.Next(3);
            var tree = AdderTree.Build(terms, bias, Taps, levels);
            Assert.Equal(levels, tree.Levels);
            Assert.Equal(levels, tree.Root.Level);
            for (int sample = 0; sample < 20; sample++)
            {
                var x = Taps.Select(r => r.Lo + (long)(rng.NextDouble() * (r.Hi - r.Lo + 1))).ToArray();
                Assert.Equal(Reference(terms, bias, x), tree.Evaluate(x));
            }
        }
    }

    [Fact]
    public void EveryNodeHoldsEveryValueItCanTake()
    {
        // Walk every node's range at the inputs' extremes: the value each node stores must lie in its declared range,
        // and the range must fit its width (a too-narrow register would wrap in hardware).
        var rng = new Random(11);
        for (int trial = 0; trial < 200; trial++)
        {
            var terms = RandomTerms(rng, rng.Next(1, 30));
            long bias = rng.Next(-300, 300);
            var tree = AdderTree.Build(terms, bias, Taps, AdderTree.LevelsFor(AdderTree.LeafCount(terms, bias)));
            foreach (var node in tree.Nodes)
            {
                Assert.True(node.Lo <= node.Hi);
                Assert.True(node.Lo >= -(1L << (node.Width - 1)) && node.Hi <= (1L << (node.Width - 1)) - 1, $"node {node} does not fit {node.Width} bits");
            }
            for (int sample = 0; sample < 20; sample++)
            {
                var x = Taps.Select(r => rng.Next(2) == 0 ? r.Lo : r.Hi).ToArray();
                var stored = tree.Stored(x);
                for (int i = 0; i < stored.Length; i++)
                    Assert.InRange(stored[i], tree.Nodes[i].Lo, tree.Nodes[i].Hi);
            }
        }
    }

    [Fact]
    public void SpendsOneAdderPerLeafBeyondTheFirstAndNoNegations()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 100; trial++)
        {
            var terms = RandomTerms(rng, rng.Next(1, 50));
            var tree = AdderTree.Build(terms, 17, Taps, AdderTree.LevelsFor(terms.Count + 1));
            Assert.Equal(terms.Count, tree.Adders);
            // A node is negated only when all its leaves are: here the positive bias is a leaf of the root.
            Assert.False(tree.Root.Negated);
        }
    }

    [Fact]
    public void AllNegativeTermsLeaveOnlyTheRootNegated()
    {
        var terms = new List<ShiftAddTerm> { new(0, 0, true), new(1, 2, true), new(2, 1, true) };
        var tree = AdderTree.Build(terms, 0, Taps, 2);
        Assert.True(tree.Root.Negated);
        Assert.DoesNotContain(tree.Nodes, n => n.Op == AdderTree.Op.Subtract);
        Assert.Equal(-(3 + (5L << 2) + (-7 << 1)), tree.Evaluate([3, 5, -7, 0, 0, 0]));
    }

    [Fact]
    public void AnEmptyRowIsItsBiasAndTooFewLevelsAreRefused()
    {
        var tree = AdderTree.Build([], -42, Taps, 3);
        Assert.Equal(-42, tree.Evaluate(new long[Taps.Length]));
        Assert.Equal(0, AdderTree.Build([], 0, Taps, 1).Evaluate(new long[Taps.Length]));
        var terms = RandomTerms(new Random(1), 9);
        Assert.Throws<ArgumentException>(() => AdderTree.Build(terms, 1, Taps, 3));
    }
}
