using System.Text.Json;

namespace MixQ.Codegen.Synthesis;

/// <summary>
/// Resources per Verilog module and in total, read from yosys's `stat -json` (yosys 0.23 layout: "modules" maps
/// each module name, escaped with a leading backslash, to its own cells — instances of sub-modules appear as
/// cells of the sub-module's type — and "design" holds the hierarchy-wide totals). Generated designs instantiate
/// every stage module once, so a module's own cells are its layer's resources.
/// </summary>
public sealed record SynthesisReport(IReadOnlyDictionary<string, ResourceCount> Modules, ResourceCount Total, IReadOnlyDictionary<string, long> TotalCells)
{
    public static SynthesisReport Parse(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (!root.TryGetProperty("modules", out var modules) || modules.ValueKind != JsonValueKind.Object)
                throw new MixQException($"yosys statistics {source} have no 'modules' object");
            var perModule = new SortedDictionary<string, ResourceCount>(StringComparer.Ordinal);
            var all = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var module in modules.EnumerateObject())
            {
                var cells = Cells(module.Value);
                perModule[module.Name.TrimStart('\\')] = ResourceCount.FromCells(cells);
                foreach (var (t, n) in cells) all[t] = all.GetValueOrDefault(t) + n;
            }
            // The "design" entry counts cells through the hierarchy; without it, every module is used once.
            var total = root.TryGetProperty("design", out var design) ? Cells(design) : all;
            return new SynthesisReport(perModule, ResourceCount.FromCells(total), total);
        }
        catch (JsonException e)
        {
            throw new MixQException($"yosys statistics {source} are not valid JSON ({e.Message})", e);
        }
    }

    private static SortedDictionary<string, long> Cells(JsonElement module)
    {
        var cells = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (module.TryGetProperty("num_cells_by_type", out var byType) && byType.ValueKind == JsonValueKind.Object)
            foreach (var c in byType.EnumerateObject())
                if (c.Value.ValueKind == JsonValueKind.Number) cells[c.Name] = c.Value.GetInt64();
        return cells;
    }
}
