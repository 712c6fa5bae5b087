using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using MixQ.Tensors;

namespace MixQ.Quantization.Assignment;

/// <summary>
/// Gives every row of one weight a format from a mix, by rule, with the mix's exact row counts
/// (<see cref="MixSpec.CountsFor"/>). Also usable on its own to refresh a layer's assignment during training.
/// </summary>
public static class RowAssigner
{
    /// <summary>
    /// The format of each row of <paramref name="weight"/>. <paramref name="seed"/> drives the random rule;
    /// <paramref name="rowTraces"/> (per-row Hessian traces, <see cref="HutchinsonEstimator"/>) is required by the
    /// Hessian rule when the mix has several bit widths (with one width the Hessian rule is the error rule) and
    /// ignored otherwise.
    /// </summary>
    public static NumberFormat[] Assign(Tensor weight, MixSpec mix, AssignmentRule rule, int seed = 0, IReadOnlyList<double>? rowTraces = null)
    {
        var formats = mix.Formats;
        int rows = Scaling.WeightRows.Count(weight), length = Scaling.WeightRows.Length(weight);
        if (rowTraces is not null && rowTraces.Count != rows)
            throw new ArgumentException($"{rowTraces.Count} Hessian traces for {rows} rows", nameof(rowTraces));
        var counts = mix.CountsFor(rows);
        int[] indices = formats.Count == 1 ? new int[rows] : rule switch
        {
            AssignmentRule.Error => ErrorAssignment.Assign(FormatErrors.Compute(weight, formats), rows, counts),
            AssignmentRule.Variance or AssignmentRule.Kurtosis =>
                StatisticAssignment.Assign(RowStatistics.Of(weight), formats, counts, rule),
            AssignmentRule.Hessian when !mix.IsMultiPrecision => ErrorAssignment.Assign(FormatErrors.Compute(weight, formats), rows, counts),
            AssignmentRule.Hessian => HessianAssignment.Assign(
                rowTraces ?? throw new ArgumentNullException(nameof(rowTraces), "the hessian rule needs per-row Hessian traces"),
                FormatErrors.Compute(weight, formats), formats, counts, length),
            AssignmentRule.Random => RandomAssignment.Assign(counts, new Random(seed)),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
        };
        return indices.Select(i => formats[i]).ToArray();
    }
}
