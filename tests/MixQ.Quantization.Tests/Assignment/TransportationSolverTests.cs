using MixQ.Quantization.Assignment;

namespace MixQ.Quantization.Tests.Assignment;

public class TransportationSolverTests
{
    /// <summary>The minimum total cost over every assignment with the given counts (enumerated).</summary>
    private static double BruteForce(double[] cost, int rows, int[] counts)
    {
        int k = counts.Length;
        var left = (int[])counts.Clone();
        double best = double.PositiveInfinity;
        void Recurse(int r, double sum)
        {
            if (r == rows)
            {
                best = Math.Min(best, sum);
                return;
            }
            for (int f = 0; f < k; f++)
            {
                if (left[f] == 0) continue;
                left[f]--;
                Recurse(r + 1, sum + cost[r * k + f]);
                left[f]++;
            }
        }
        Recurse(0, 0);
        return best;
    }

    private static int[] RandomCounts(Random rng, int rows, int k)
    {
        var counts = new int[k];
        for (int r = 0; r < rows; r++) counts[rng.Next(k)]++;
        return counts;
    }

    private static void AssertRespectsCounts(int[] assignment, int[] counts)
    {
        for (int f = 0; f < counts.Length; f++) Assert.Equal(counts[f], assignment.Count(a => a == f));
    }

    [Fact]
    public void MatchesBruteForceOnTinyInstances()
    {
        var rng = new Random(42);
        for (int trial = 0; trial < 400; trial++)
        {
            int rows = rng.Next(1, 8), k = rng.Next(1, 5);
            // Half the trials use small integer costs, which are full of ties.
            bool ties = trial % 2 == 0;
            var cost = Enumerable.Range(0, rows * k).Select(_ => ties ? rng.Next(4) : rng.NextDouble() * 10 - 3).ToArray();
            var counts = RandomCounts(rng, rows, k);
            var assignment = TransportationSolver.Solve(cost, rows, counts);
            AssertRespectsCounts(assignment, counts);
            Assert.Equal(BruteForce(cost, rows, counts), TransportationSolver.TotalCost(cost, assignment, k), 9);
        }
    }

    [Fact]
    public void TwoFormatsMatchTheSortedDifferenceRule()
    {
        // With two formats the optimum moves to format 1 the rows with the smallest cost[r,1] - cost[r,0].
        var rng = new Random(7);
        int rows = 500;
        var cost = Enumerable.Range(0, rows * 2).Select(_ => rng.NextDouble()).ToArray();
        int[] counts = [180, 320];
        var assignment = TransportationSolver.Solve(cost, rows, counts);
        var cheapest = Enumerable.Range(0, rows).OrderBy(r => cost[r * 2 + 1] - cost[r * 2]).Take(320).ToHashSet();
        for (int r = 0; r < rows; r++) Assert.Equal(cheapest.Contains(r) ? 1 : 0, assignment[r]);
    }

    [Theory]
    [InlineData(3, 300)]
    [InlineData(4, 250)]
    public void LargerInstancesAdmitNoImprovingCycleOfMoves(int k, int rows)
    {
        // Optimality certificate of a transportation problem: no cycle of row moves between formats a1 -> a2 -> ...
        // -> a1 (each step moving one row of its source format) lowers the cost. Check every cycle of distinct formats
        // using the cheapest move per pair, computed naively here.
        var rng = new Random(k);
        var cost = Enumerable.Range(0, rows * k).Select(_ => rng.NextDouble() * rng.NextDouble()).ToArray();
        var counts = RandomCounts(rng, rows, k);
        var assignment = TransportationSolver.Solve(cost, rows, counts);
        AssertRespectsCounts(assignment, counts);
        var best = new double[k, k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
                best[a, b] = Enumerable.Range(0, rows).Where(r => assignment[r] == a).Select(r => cost[r * k + b] - cost[r * k + a]).DefaultIfEmpty(double.PositiveInfinity).Min();
        foreach (var cycle in Cycles(k))
        {
            double sum = 0;
            for (int i = 0; i < cycle.Length; i++) sum += best[cycle[i], cycle[(i + 1) % cycle.Length]];
            Assert.True(sum >= -1e-12, $"cycle {string.Join("->", cycle)} improves the cost by {-sum}");
        }
    }

    private static IEnumerable<int[]> Cycles(int k)
    {
        IEnumerable<int[]> Extend(int[] prefix)
        {
            if (prefix.Length >= 2) yield return prefix;
            for (int f = 0; f < k; f++)
            {
                if (!prefix.Contains(f))
                    foreach (var c in Extend([.. prefix, f])) yield return c;
            }
        }
        for (int start = 0; start < k; start++)
            foreach (var c in Extend([start])) yield return c;
    }

    [Fact]
    public void IsDeterministicAndRejectsInconsistentCounts()
    {
        double[] cost = [1, 1, 1, 1, 1, 1];
        Assert.Equal(TransportationSolver.Solve(cost, 3, [1, 2]), TransportationSolver.Solve(cost, 3, [1, 2]));
        Assert.Throws<ArgumentException>(() => TransportationSolver.Solve(cost, 3, [1, 1]));
        Assert.Throws<ArgumentException>(() => TransportationSolver.Solve(cost, 3, [4, -1]));
        Assert.Throws<ArgumentException>(() => TransportationSolver.Solve([1, double.NaN], 1, [1, 0]));
    }
}
