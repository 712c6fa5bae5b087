using MixQ.Codegen.Design;

namespace MixQ.Codegen.Synthesis;

/// <summary>Synthesized resources of each layer module next to the cost model's prediction for the same layers.</summary>
public sealed record SynthesisComparison(IReadOnlyList<SynthesisComparison.Row> Rows, SynthesisComparison.Row Total)
{
    /// <summary>One module (or the total): what yosys counted and, when known, what the cost model predicted.</summary>
    public sealed record Row(string Module, string Layers, ResourceCount Synthesized, CostPrediction.LayerPrediction? Predicted, bool Comparable = true)
    {
        /// <summary>(predicted - synthesized) / synthesized for LUTs; null without a comparable prediction or with no LUTs.</summary>
        public double? LutError => Predicted is null || !Comparable || Synthesized.Luts == 0 ? null : (Predicted.Luts - Synthesized.Luts) / Synthesized.Luts;
    }

    /// <summary>
    /// Whether predictions describe this very design. GEMM predictions written before they priced the generated lanes
    /// (<see cref="CostPrediction.GeneratedDesignBasis"/>) estimated the partition optimizer's own engine instead;
    /// those are shown for reference without an error.
    /// </summary>
    public bool Comparable => Total.Comparable;

    /// <summary>
    /// Whether the prediction prices this design's own structure: same architecture, and either the generated-design
    /// basis or an unrolled prediction from before the basis was recorded (those were always per generated layer).
    /// </summary>
    private static bool Prices(CostPrediction.FamilyPrediction p, DesignManifest m) =>
        p.Architecture == m.Architecture && (p.Basis == CostPrediction.GeneratedDesignBasis || m.Architecture == "unrolled");

    /// <param name="only">
    /// The modules synthesized when only some were (per-module synthesis of part of a design): the rows are those
    /// modules and the total is their sum, predicted and synthesized alike.
    /// </param>
    public static SynthesisComparison Build(DesignManifest manifest, SynthesisReport report, CostPrediction.FamilyPrediction? prediction,
        IReadOnlyCollection<string>? only = null)
    {
        var rows = new List<Row>();
        foreach (var module in manifest.Modules)
        {
            if (only is not null && !only.Contains(module.Module)) continue;
            var synthesized = report.Modules.TryGetValue(module.Module, out var r) ? r : default;
            CostPrediction.LayerPrediction? predicted = null;
            if (prediction is not null && Prices(prediction, manifest))
            {
                // Unrolled predictions are per layer (a module may hold several); GEMM predictions per core module.
                var matching = prediction.Layers.Where(l => l.Layer == module.Module || module.Layers.Contains(l.Layer)).ToArray();
                if (matching.Length > 0)
                    predicted = new CostPrediction.LayerPrediction(string.Join("+", matching.Select(m => m.Layer)),
                        matching.Sum(m => m.Luts), matching.Sum(m => m.FlipFlops), matching.Sum(m => m.Dsps), matching.Sum(m => m.Bram36), matching.Sum(m => m.Cycles));
            }
            rows.Add(new Row(module.Module, string.Join(", ", module.Layers), synthesized, predicted));
        }
        // The top's own cells (glue, the GEMM engine's shared logic) are the rest of the total.
        bool comparable = prediction is null || Prices(prediction, manifest);
        if (only is not null && only.Count < manifest.Modules.Count)
        {
            var predicted = prediction is null || rows.Any(r => r.Predicted is null) ? null
                : new CostPrediction.LayerPrediction("listed modules", rows.Sum(r => r.Predicted!.Luts), rows.Sum(r => r.Predicted!.FlipFlops),
                    rows.Sum(r => r.Predicted!.Dsps), rows.Sum(r => r.Predicted!.Bram36), rows.Sum(r => r.Predicted!.Cycles));
            return new SynthesisComparison(rows, new Row($"{rows.Count} of {manifest.Modules.Count} modules (total)", "listed", report.Total, predicted, comparable));
        }
        return new SynthesisComparison(rows, new Row(manifest.Top + " (total)", "all", report.Total, prediction?.Total, comparable));
    }
}
