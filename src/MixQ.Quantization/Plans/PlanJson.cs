using System.Text;
using System.Text.Json;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Plans;

/// <summary>
/// Reads and writes plan files (docs/plan-format.md). Row formats are stored compactly: the file lists the
/// distinct formats once ("formats"), and each layer's "row_formats" is a string with one character per row,
/// the index of that row's format in the list written as a base-36 digit (0-9 then a-z). Every possible plan
/// fits: 3 schemes x 7 widths = 21 formats.
/// </summary>
internal static class PlanJson
{
    public const string FormatName = "mixq-plan";
    public const int Version = 1;
    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string Write(QuantizationPlan plan)
    {
        var palette = plan.Palette();
        if (palette.Count > Digits.Length) throw new InvalidOperationException($"plan uses {palette.Count} formats, more than a plan file can index");
        var index = palette.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", Version);
            w.WriteString("method", plan.Method);
            if (plan.ModelName is not null) w.WriteString("model", plan.ModelName);
            w.WriteString("mix", plan.Mix.ToString());
            w.WriteString("rule", AssignmentRules.Name(plan.Rule));
            w.WriteNumber("seed", plan.Seed);
            w.WriteNumber("activation_bits", plan.ActivationBits);
            w.WriteString("first_layer_format", EdgeLayerPolicy.Text(plan.Edges.First));
            w.WriteString("last_layer_format", EdgeLayerPolicy.Text(plan.Edges.Last));
            w.WriteStartArray("formats");
            foreach (var f in palette) w.WriteStringValue(f.ToString());
            w.WriteEndArray();
            w.WriteStartArray("layers");
            foreach (var layer in plan.Layers)
            {
                w.WriteStartObject();
                w.WriteString("name", layer.Name);
                w.WriteString("kind", KindText(layer.Kind));
                w.WriteString("role", RoleText(layer.Role));
                w.WriteNumber("rows", layer.Rows);
                w.WriteNumber("row_length", layer.RowLength);
                var codes = new StringBuilder(layer.Rows);
                foreach (var f in layer.RowFormats) codes.Append(Digits[index[f]]);
                w.WriteString("row_formats", codes.ToString());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static QuantizationPlan Read(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MixQException($"plan {source} is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new MixQException($"plan {source}: expected a JSON object");
            string format = GetString(root, "format", source);
            if (format != FormatName) throw new MixQException($"plan {source}: format is '{format}', expected '{FormatName}'");
            int version = GetInt(root, "version", source);
            if (version != Version) throw new MixQException($"plan {source}: version {version} is not supported (this MixQ reads version {Version})");
            string method = GetString(root, "method", source);
            string? model = root.TryGetProperty("model", out var m) && m.ValueKind != JsonValueKind.Null ? GetString(root, "model", source) : null;
            var mix = MixSpec.Parse(GetString(root, "mix", source), $"plan {source}");
            var rule = AssignmentRules.Parse(GetString(root, "rule", source), $"plan {source}");
            int seed = GetInt(root, "seed", source);
            int activationBits = GetInt(root, "activation_bits", source);
            var edges = new EdgeLayerPolicy(
                EdgeLayerPolicy.ParseFormat(GetString(root, "first_layer_format", source), $"plan {source}"),
                EdgeLayerPolicy.ParseFormat(GetString(root, "last_layer_format", source), $"plan {source}"));
            var palette = GetArray(root, "formats", source).Select(e => e.ValueKind == JsonValueKind.String
                ? NumberFormat.Parse(e.GetString()!, $"plan {source}")
                : throw new MixQException($"plan {source}: 'formats' must hold strings such as \"sp2-4\"")).ToArray();
            if (palette.Length > Digits.Length) throw new MixQException($"plan {source}: 'formats' lists {palette.Length} formats, at most {Digits.Length} can be indexed");
            var layers = new List<LayerPlan>();
            foreach (var item in GetArray(root, "layers", source))
            {
                if (item.ValueKind != JsonValueKind.Object) throw new MixQException($"plan {source}: each entry of 'layers' must be an object");
                string name = GetString(item, "name", source);
                string where = $"{source}, layer {name}";
                var kind = ParseKind(GetString(item, "kind", where), where);
                var role = ParseRole(GetString(item, "role", where), where);
                int rows = GetInt(item, "rows", where);
                int rowLength = GetInt(item, "row_length", where);
                string codes = GetString(item, "row_formats", where);
                if (rows <= 0) throw new MixQException($"plan {where}: rows must be positive, got {rows}");
                if (rowLength < 0) throw new MixQException($"plan {where}: row_length must not be negative, got {rowLength}");
                if (codes.Length != rows)
                    throw new MixQException($"plan {where}: row_formats has {codes.Length} characters for {rows} rows");
                var formats = new NumberFormat[rows];
                for (int r = 0; r < rows; r++)
                {
                    int k = Digits.IndexOf(codes[r], StringComparison.Ordinal);
                    if (k < 0 || k >= palette.Length)
                        throw new MixQException($"plan {where}: row {r} has code '{codes[r]}', which does not index the {palette.Length} formats");
                    formats[r] = palette[k];
                }
                layers.Add(new LayerPlan(name, kind, rowLength, formats, role));
            }
            return new QuantizationPlan(method, model, mix, rule, seed, activationBits, edges, layers, source);
        }
    }

    public static string KindText(LayerKind kind) => kind switch
    {
        LayerKind.Linear => "linear",
        LayerKind.Conv2d => "conv2d",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string RoleText(LayerRole role) => role switch
    {
        LayerRole.Inner => "inner",
        LayerRole.First => "first",
        LayerRole.Last => "last",
        LayerRole.Only => "only",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    private static LayerKind ParseKind(string text, string where) => text switch
    {
        "linear" => LayerKind.Linear,
        "conv2d" => LayerKind.Conv2d,
        _ => throw new MixQException($"plan {where}: unknown layer kind '{text}' (expected linear or conv2d)"),
    };

    private static LayerRole ParseRole(string text, string where) => text switch
    {
        "inner" => LayerRole.Inner,
        "first" => LayerRole.First,
        "last" => LayerRole.Last,
        "only" => LayerRole.Only,
        _ => throw new MixQException($"plan {where}: unknown layer role '{text}' (expected first, inner, last or only)"),
    };

    private static JsonElement Get(JsonElement obj, string name, string where) =>
        obj.TryGetProperty(name, out var value) ? value : throw new MixQException($"plan {where}: missing field '{name}'");

    private static string GetString(JsonElement obj, string name, string where)
    {
        var value = Get(obj, name, where);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new MixQException($"plan {where}: field '{name}' must be a string");
    }

    private static int GetInt(JsonElement obj, string name, string where)
    {
        var value = Get(obj, name, where);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) ? n
            : throw new MixQException($"plan {where}: field '{name}' must be a whole number");
    }

    private static IEnumerable<JsonElement> GetArray(JsonElement obj, string name, string where)
    {
        var value = Get(obj, name, where);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : throw new MixQException($"plan {where}: field '{name}' must be an array");
    }
}
