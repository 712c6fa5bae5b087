namespace MixQ.Quantization.Plans;

/// <summary>
/// Row counts per format (in the order of <see cref="PlanSummary.Formats"/>) and the equivalent average weight
/// bit width Σ_f rows_f * rowLength * bits_f / weights of one layer, or of the whole model for the total line.
/// </summary>
public sealed record LayerSummary(string Name, LayerKind? Kind, LayerRole Role, int Rows, int? RowLength, long Weights,
    IReadOnlyList<int> Counts, double AverageBits);
