namespace MixQ.Quantization.Assignment;

/// <summary>
/// Exact solver of the row-to-format transportation problem: minimise Σ_r cost[r, f(r)] subject to exactly
/// counts[f] rows taking format f. Successive shortest paths (the Hungarian idea, row by row): after rows
/// 0..i-1 are placed optimally, row i enters along the cheapest path in the residual graph, which keeps the
/// placement optimal (no negative residual cycle). Because there are only K formats, the residual graph is
/// collapsed onto the formats: the edge a -> b costs the cheapest move of a row currently in a to b,
/// min_r∈a (cost[r, b] - cost[r, a]), kept in one ordered set per pair. A path visits each format at most once,
/// so its moves involve distinct rows. Each row costs a K-node Bellman-Ford plus O(K^2 log n) set updates:
/// O(n K^2 (K + log n)) in all, exact, and deterministic (ties go to lower row and format indices).
/// </summary>
public static class TransportationSolver
{
    /// <summary>
    /// The format index of each row. <paramref name="cost"/> is row-major [rows, formats]; <paramref name="counts"/>
    /// has one entry per format and sums to <paramref name="rows"/>.
    /// </summary>
    public static int[] Solve(ReadOnlySpan<double> cost, int rows, IReadOnlyList<int> counts)
    {
        int k = counts.Count;
        if (k == 0) throw new ArgumentException("no formats", nameof(counts));
        if (cost.Length != rows * k) throw new ArgumentException($"cost has {cost.Length} entries, expected {rows} x {k}", nameof(cost));
        if (counts.Any(c => c < 0) || counts.Sum() != rows)
            throw new ArgumentException($"counts [{string.Join(", ", counts)}] must be non-negative and sum to {rows}", nameof(counts));
        for (int i = 0; i < cost.Length; i++)
        {
            if (!double.IsFinite(cost[i])) throw new ArgumentException($"cost[{i / k}, {i % k}] is not finite", nameof(cost));
        }

        var c = cost.ToArray();
        var assigned = new int[rows];
        var used = new int[k];
        // moves[a * k + b]: rows currently in format a, ordered by the cost of moving them to b.
        var moves = new SortedSet<(double Delta, int Row)>[k * k];
        for (int i = 0; i < moves.Length; i++) moves[i] = [];
        var dist = new double[k];
        var pred = new int[k];
        var path = new List<(int From, int To, int Row)>(k);

        void Place(int row, int format)
        {
            assigned[row] = format;
            for (int b = 0; b < k; b++)
            {
                if (b != format) moves[format * k + b].Add((c[row * k + b] - c[row * k + format], row));
            }
        }

        void Remove(int row, int format)
        {
            for (int b = 0; b < k; b++)
            {
                if (b != format) moves[format * k + b].Remove((c[row * k + b] - c[row * k + format], row));
            }
        }

        for (int r = 0; r < rows; r++)
        {
            // Shortest paths from the entering row: directly into a at cost[r, a], then along moves.
            for (int a = 0; a < k; a++)
            {
                dist[a] = c[r * k + a];
                pred[a] = -1;
            }
            for (int round = 1; round < k; round++)
            {
                bool changed = false;
                for (int a = 0; a < k; a++)
                {
                    for (int b = 0; b < k; b++)
                    {
                        if (a == b || moves[a * k + b].Count == 0) continue;
                        double candidate = dist[a] + moves[a * k + b].Min.Delta;
                        // A relative margin keeps rounding noise from creating phantom improvements (and cycles).
                        if (candidate < dist[b] - 1e-12 * Math.Abs(dist[b]))
                        {
                            dist[b] = candidate;
                            pred[b] = a;
                            changed = true;
                        }
                    }
                }
                if (!changed) break;
            }

            int target = -1;
            for (int f = 0; f < k; f++)
            {
                if (used[f] < counts[f] && (target < 0 || dist[f] < dist[target])) target = f;
            }

            // Collect the moves from the state before any of them is applied, then apply them.
            path.Clear();
            int node = target, steps = 0;
            while (pred[node] >= 0)
            {
                if (++steps > k) throw new InvalidOperationException("transportation solver found a cycle in its shortest-path tree");
                int from = pred[node];
                path.Add((from, node, moves[from * k + node].Min.Row));
                node = from;
            }
            foreach (var (from, to, row) in path)
            {
                Remove(row, from);
                Place(row, to);
            }
            Place(r, node);
            used[target]++;
        }
        return assigned;
    }

    /// <summary>Σ_r cost[r, assignment[r]] (for reporting and tests).</summary>
    public static double TotalCost(ReadOnlySpan<double> cost, IReadOnlyList<int> assignment, int formats)
    {
        double total = 0;
        for (int r = 0; r < assignment.Count; r++) total += cost[r * formats + assignment[r]];
        return total;
    }
}
