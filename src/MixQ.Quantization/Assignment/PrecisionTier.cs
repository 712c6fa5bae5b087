using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Assignment;

/// <summary>
/// The candidate formats that share one bit width, and how many rows they take together. Rules that decide
/// precision first (statistics, Hessian) fill the tiers from the widest down, then choose schemes inside a tier.
/// </summary>
public sealed record PrecisionTier(int Bits, IReadOnlyList<int> FormatIndices, int Rows)
{
    /// <summary>Tiers of <paramref name="formats"/> with their summed <paramref name="counts"/>, widest first.</summary>
    public static IReadOnlyList<PrecisionTier> From(IReadOnlyList<NumberFormat> formats, IReadOnlyList<int> counts) =>
        Enumerable.Range(0, formats.Count)
            .GroupBy(i => formats[i].Bits)
            .OrderByDescending(g => g.Key)
            .Select(g => new PrecisionTier(g.Key, g.ToArray(), g.Sum(i => counts[i])))
            .ToArray();

    /// <summary>
    /// Gives each tier its share of <paramref name="rowsBySensitivity"/> (most deserving first): the widest tier
    /// takes the first rows, and so on. Returns each row's tier index.
    /// </summary>
    public static int[] Fill(IReadOnlyList<PrecisionTier> tiers, IReadOnlyList<int> rowsBySensitivity)
    {
        var tierOf = new int[rowsBySensitivity.Count];
        int next = 0;
        for (int t = 0; t < tiers.Count; t++)
        {
            for (int j = 0; j < tiers[t].Rows; j++) tierOf[rowsBySensitivity[next++]] = t;
        }
        if (next != rowsBySensitivity.Count) throw new ArgumentException($"tiers hold {next} rows, the layer has {rowsBySensitivity.Count}");
        return tierOf;
    }
}
