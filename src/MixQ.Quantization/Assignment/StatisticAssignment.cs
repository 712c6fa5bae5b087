using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Assignment;

/// <summary>
/// The statistic rules ("variance", "kurtosis"). Exact rule:
/// <list type="number">
/// <item>Precision: rows sorted by variance, largest first (ties: lower row index first); the widest bit width
/// takes as many of the first rows as its formats' counts add up to, the next width the following rows, and so
/// on (the rows that spread most lose most to a coarse grid, RMSMP's variance criterion).</item>
/// <item>Scheme, inside each bit width: rows sorted from most to least centre-heavy, and the formats ordered from
/// most to least concentrated level set (PoT, then SP2, then fixed point; methods.md §1-2: SP2 fits Gaussian-like
/// rows, fixed point uniform-like rows). The most centre-heavy rows fill the first format's count, and so on.
/// "Centre-heavy" is the highest kurtosis for the kurtosis rule and the lowest range-normalised variance
/// m2 / max|w|^2 for the variance rule (the raw variance says nothing about shape once every row has its own
/// scale).</item>
/// </list>
/// </summary>
public static class StatisticAssignment
{
    /// <summary>Each row's format index into <paramref name="formats"/>.</summary>
    public static int[] Assign(RowStatistics statistics, IReadOnlyList<NumberFormat> formats, IReadOnlyList<int> counts, AssignmentRule rule)
    {
        Func<int, double> centreHeaviness = rule switch
        {
            AssignmentRule.Kurtosis => r => statistics.Kurtosis[r],
            AssignmentRule.Variance => r => -statistics.RelativeVariance[r],
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "not a statistic rule"),
        };
        int rows = statistics.Variance.Length;
        var tiers = PrecisionTier.From(formats, counts);
        var byVariance = Enumerable.Range(0, rows).OrderByDescending(r => statistics.Variance[r]).ThenBy(r => r).ToArray();
        var tierOf = PrecisionTier.Fill(tiers, byVariance);
        var assignment = new int[rows];
        for (int t = 0; t < tiers.Count; t++)
        {
            var tierRows = Enumerable.Range(0, rows).Where(r => tierOf[r] == t)
                .OrderByDescending(centreHeaviness).ThenBy(r => r).ToArray();
            var tierFormats = tiers[t].FormatIndices.OrderBy(i => Concentration(formats[i].Scheme)).ToArray();
            int next = 0;
            foreach (int f in tierFormats)
            {
                for (int j = 0; j < counts[f]; j++) assignment[tierRows[next++]] = f;
            }
        }
        return assignment;
    }

    /// <summary>How tightly a scheme packs its levels near zero: 0 for PoT, 1 for SP2, 2 for fixed point.</summary>
    public static int Concentration(QuantScheme scheme) => scheme switch
    {
        QuantScheme.PowerOfTwo => 0,
        QuantScheme.SP2 => 1,
        QuantScheme.Fixed => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, null),
    };
}
