using System.Globalization;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Plans;

/// <summary>
/// Per-layer row counts of each format and the equivalent average weight bit width (weighted by the number of
/// weights, rows x row length), plus the model total; <see cref="Render"/> lays them out as the text table that
/// `mixq plan show PATH` prints.
/// </summary>
public sealed class PlanSummary
{
    private PlanSummary(QuantizationPlan plan, IReadOnlyList<NumberFormat> formats, IReadOnlyList<LayerSummary> layers, LayerSummary total)
    {
        Plan = plan;
        Formats = formats;
        Layers = layers;
        Total = total;
    }

    public QuantizationPlan Plan { get; }

    /// <summary>The columns: every format the plan uses (<see cref="QuantizationPlan.Palette"/> order).</summary>
    public IReadOnlyList<NumberFormat> Formats { get; }

    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>The whole model: summed counts and weights, bits averaged over all weights.</summary>
    public LayerSummary Total { get; }

    public static PlanSummary Of(QuantizationPlan plan)
    {
        var formats = plan.Palette();
        var layers = plan.Layers.Select(l => new LayerSummary(
            l.Name, l.Kind, l.Role, l.Rows, l.RowLength, l.Weights,
            formats.Select(l.CountOf).ToArray(),
            l.Weights == 0 ? 0 : l.RowFormats.Sum(f => (double)f.Bits * l.RowLength) / l.Weights)).ToArray();
        long weights = layers.Sum(l => l.Weights);
        double bitSum = plan.Layers.Sum(l => l.RowFormats.Sum(f => (double)f.Bits * l.RowLength));
        var total = new LayerSummary("total", null, LayerRole.Inner, layers.Sum(l => l.Rows), null, weights,
            formats.Select((_, i) => layers.Sum(l => l.Counts[i])).ToArray(), weights == 0 ? 0 : bitSum / weights);
        return new PlanSummary(plan, formats, layers, total);
    }

    /// <summary>The header lines and the table, one string per line (no trailing newlines).</summary>
    public IReadOnlyList<string> Render()
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"plan {Plan.Source}: method {Plan.Method}{(Plan.ModelName is null ? "" : $", model {Plan.ModelName}")}, " +
            $"mix {Plan.Mix}, rule {AssignmentRules.Name(Plan.Rule)}, activations {Plan.ActivationBits}-bit",
            $"first layer: {EdgeLayerPolicy.Text(Plan.Edges.First)}, last layer: {EdgeLayerPolicy.Text(Plan.Edges.Last)}",
        };
        var header = new List<string> { "layer", "kind", "rows", "row length", "weights" };
        header.AddRange(Formats.Select(f => f.ToString()));
        header.Add("avg bits");
        var table = new List<string[]> { header.ToArray() };
        foreach (var l in Layers.Append(Total))
        {
            var cells = new List<string>
            {
                l.Role == LayerRole.Inner || l == Total ? l.Name : $"{l.Name} ({PlanJson.RoleText(l.Role)})",
                l.Kind is { } k ? PlanJson.KindText(k) : "",
                l.Rows.ToString(inv),
                l.RowLength?.ToString(inv) ?? "",
                l.Weights.ToString(inv),
            };
            cells.AddRange(l.Counts.Select(c => c.ToString(inv)));
            cells.Add(l.AverageBits.ToString("F3", inv));
            table.Add(cells.ToArray());
        }
        int columns = header.Count;
        var widths = Enumerable.Range(0, columns).Select(c => table.Max(row => row[c].Length)).ToArray();
        foreach (var row in table)
        {
            // Names and kinds left-aligned, numbers right-aligned.
            var padded = row.Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            lines.Add(string.Join("  ", padded).TrimEnd());
        }
        return lines;
    }

    public override string ToString() => string.Join(Environment.NewLine, Render());
}
