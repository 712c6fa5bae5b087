using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixQ.NN.IO;

namespace MixQ.Quantization.Hgq;

/// <summary>Writes a Pareto front as pareto.csv, pareto.json and pareto.svg (each atomically).</summary>
public static class ParetoFiles
{
    public const string CsvName = "pareto.csv";
    public const string JsonName = "pareto.json";
    public const string SvgName = "pareto.svg";

    public static void Write(string outDir, IReadOnlyList<ParetoPoint> front, IReadOnlyList<ParetoPoint> evaluated, string title)
    {
        Directory.CreateDirectory(outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, CsvName), Csv(front));
        AtomicFile.WriteAllText(Path.Combine(outDir, JsonName), Json(front, evaluated));
        AtomicFile.WriteAllText(Path.Combine(outDir, SvgName), ParetoSvg.Render(front, evaluated, title));
    }

    public static string Csv(IReadOnlyList<ParetoPoint> front)
    {
        var text = new StringBuilder("epoch,beta,test_accuracy,ebops,pruned_weights,checkpoint\n");
        foreach (var p in front)
        {
            text.Append(CultureInfo.InvariantCulture, $"{p.Epoch},{p.Beta:R},{p.TestAccuracy:R},{p.Ebops},{p.PrunedWeights:R},{p.Checkpoint}\n");
        }
        return text.ToString();
    }

    public static string Json(IReadOnlyList<ParetoPoint> front, IReadOnlyList<ParetoPoint> evaluated) =>
        new JsonObject
        {
            ["pareto"] = JsonSerializer.SerializeToNode(front),
            ["evaluated"] = JsonSerializer.SerializeToNode(evaluated),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
