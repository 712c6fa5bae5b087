using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Assignment;

/// <summary>
/// The "hessian" rule (RMSMP/HAWQ, methods.md §3). Each row's sensitivity is
/// tr(H_row) / n * ||w_row - Q(w_row)||^2 (n = row length), where tr(H_row) comes from
/// <see cref="HutchinsonEstimator"/> and Q is the lowest-precision candidate (when several candidates share the
/// lowest width, the one that quantizes the row best). The most sensitive rows fill the widest bit width first,
/// then the next, as in <see cref="PrecisionTier.Fill"/>; inside each width the scheme follows the error rule,
/// solved exactly on that width's rows and formats. With a single width (MSQ) the rule is the error rule.
/// </summary>
public static class HessianAssignment
{
    /// <summary>HAWQ sensitivities; <paramref name="errors"/> is row-major [rows, formats].</summary>
    public static double[] Sensitivities(IReadOnlyList<double> traces, ReadOnlySpan<double> errors, IReadOnlyList<NumberFormat> formats, int rowLength)
    {
        int rows = traces.Count, k = formats.Count;
        int lowest = formats.Min(f => f.Bits);
        var sensitivity = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double perturbation = double.PositiveInfinity;
            for (int f = 0; f < k; f++)
            {
                if (formats[f].Bits == lowest) perturbation = Math.Min(perturbation, errors[r * k + f]);
            }
            sensitivity[r] = traces[r] / Math.Max(1, rowLength) * perturbation;
        }
        return sensitivity;
    }

    /// <summary>Each row's format index into <paramref name="formats"/>.</summary>
    public static int[] Assign(IReadOnlyList<double> traces, ReadOnlySpan<double> errors, IReadOnlyList<NumberFormat> formats,
        IReadOnlyList<int> counts, int rowLength)
    {
        int rows = traces.Count, k = formats.Count;
        var tiers = PrecisionTier.From(formats, counts);
        if (tiers.Count == 1) return ErrorAssignment.Assign(errors, rows, counts);
        var sensitivity = Sensitivities(traces, errors, formats, rowLength);
        var bySensitivity = Enumerable.Range(0, rows).OrderByDescending(r => sensitivity[r]).ThenBy(r => r).ToArray();
        var tierOf = PrecisionTier.Fill(tiers, bySensitivity);
        var assignment = new int[rows];
        for (int t = 0; t < tiers.Count; t++)
        {
            var tierRows = Enumerable.Range(0, rows).Where(r => tierOf[r] == t).ToArray();
            var tierFormats = tiers[t].FormatIndices;
            int m = tierFormats.Count;
            var cost = new double[tierRows.Length * m];
            for (int i = 0; i < tierRows.Length; i++)
            {
                for (int j = 0; j < m; j++) cost[i * m + j] = errors[tierRows[i] * k + tierFormats[j]];
            }
            var local = TransportationSolver.Solve(cost, tierRows.Length, tierFormats.Select(f => counts[f]).ToArray());
            for (int i = 0; i < tierRows.Length; i++) assignment[tierRows[i]] = tierFormats[local[i]];
        }
        return assignment;
    }
}
