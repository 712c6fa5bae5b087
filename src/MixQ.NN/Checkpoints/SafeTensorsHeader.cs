using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace MixQ.NN.Checkpoints;

/// <summary>One tensor's entry in a safetensors header; offsets are relative to the start of the data section.</summary>
internal sealed record HeaderEntry(string Name, SafeTensorsDType DType, int[] Shape, long Begin, long End)
{
    public int Count => Shape.Aggregate(1, (n, d) => n * d);
}

/// <summary>
/// Writes and validates the JSON header of a safetensors file
/// (https://github.com/huggingface/safetensors, "Format"):
/// {"__metadata__": {string: string}, name: {"dtype": D, "shape": [...], "data_offsets": [begin, end]}, ...}
/// </summary>
internal static class SafeTensorsHeader
{
    public const string MetadataKey = "__metadata__";

    /// <summary>Headers larger than this are rejected before parsing (the reference implementation's limit).</summary>
    public const long MaxLength = 100_000_000;

    /// <summary>
    /// The UTF-8 header, padded with spaces to a multiple of 8 bytes so that the data section (and, with entries
    /// laid out largest element first, every tensor) starts 8-byte aligned.
    /// </summary>
    public static byte[] Build(IReadOnlyList<HeaderEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps non-ASCII names readable; quotes, backslashes and control characters are still escaped.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            foreach (var e in entries)
            {
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", e.DType.HeaderName());
                json.WriteStartArray("shape");
                foreach (int d in e.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(e.Begin);
                json.WriteNumberValue(e.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int length = (int)buffer.Length;
        int padded = (length + 7) & ~7;
        for (int i = length; i < padded; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>
    /// Parses and checks a header against a data section of <paramref name="dataLength"/> bytes: every entry
    /// well formed, sizes consistent with shapes, and the entries tiling the data section exactly (no overlap,
    /// no gap, nothing past the end, nothing left over). Entries come back in offset order.
    /// Problems throw a <see cref="MixQException"/> built by <paramref name="fail"/>.
    /// </summary>
    public static (List<HeaderEntry> Entries, Dictionary<string, string> Metadata) Parse(
        ReadOnlyMemory<byte> header, long dataLength, Func<string, MixQException> fail)
    {
        // Checked up front: JsonDocument defers UTF-8 validation of names until they are read.
        if (!Utf8.IsValid(header.Span)) throw fail("the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw fail($"the header is not valid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw fail($"the header is a JSON {root.ValueKind}, not an object");
            var entries = new List<HeaderEntry>();
            var metadata = new Dictionary<string, string>();
            var names = new HashSet<string>();
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw fail($"the header names '{property.Name}' twice");
                if (property.Name == MetadataKey) ReadMetadata(property.Value, metadata, fail);
                else entries.Add(ReadEntry(property.Name, property.Value, fail));
            }
            CheckLayout(entries, dataLength, fail);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, Func<string, MixQException> fail)
    {
        if (value.ValueKind != JsonValueKind.Object) throw fail($"\"{MetadataKey}\" must be an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String) throw fail($"metadata entry '{item.Name}' is not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!)) throw fail($"metadata entry '{item.Name}' appears twice");
        }
    }

    private static HeaderEntry ReadEntry(string name, JsonElement value, Func<string, MixQException> fail)
    {
        if (value.ValueKind != JsonValueKind.Object) throw fail($"entry '{name}' is not an object");
        JsonElement? dtypeValue = null, shapeValue = null, offsetsValue = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeValue is null: dtypeValue = field.Value; break;
                case "shape" when shapeValue is null: shapeValue = field.Value; break;
                case "data_offsets" when offsetsValue is null: offsetsValue = field.Value; break;
                default: throw fail($"entry '{name}' has an unexpected or repeated field '{field.Name}'");
            }
        }
        if (dtypeValue is not { ValueKind: JsonValueKind.String } dtypeText) throw fail($"entry '{name}' has no \"dtype\" string");
        if (!SafeTensorsDTypes.TryParse(dtypeText.GetString()!, out var dtype))
            throw fail($"entry '{name}' has unsupported dtype '{dtypeText.GetString()}' (supported: {string.Join(", ", Enum.GetNames<SafeTensorsDType>())})");

        if (shapeValue is not { ValueKind: JsonValueKind.Array } shapeArray) throw fail($"entry '{name}' has no \"shape\" array");
        var shape = new int[shapeArray.GetArrayLength()];
        long count = 1;
        int axis = 0;
        foreach (var d in shapeArray.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw fail($"entry '{name}' has an invalid dimension {d.GetRawText()} in its shape");
            shape[axis++] = dim;
            // Once past int.MaxValue the count only needs to stay "too big" (unless a later dimension is 0).
            if (count <= int.MaxValue) count *= dim;
        }
        if (shape.Contains(0)) count = 0;
        if (count > int.MaxValue) throw fail($"entry '{name}' has shape [{string.Join(", ", shape)}], too many elements");

        if (offsetsValue is not { ValueKind: JsonValueKind.Array } offsets || offsets.GetArrayLength() != 2)
            throw fail($"entry '{name}' needs \"data_offsets\": [begin, end]");
        long begin = ReadOffset(name, offsets[0], fail), end = ReadOffset(name, offsets[1], fail);
        if (end < begin) throw fail($"entry '{name}' has data_offsets [{begin}, {end}] with end before begin");
        long bytes = count * dtype.ElementSize();
        if (end - begin != bytes)
            throw fail($"entry '{name}' of dtype {dtype} and shape [{string.Join(", ", shape)}] needs {bytes} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        return new HeaderEntry(name, dtype, shape, begin, end);
    }

    private static long ReadOffset(string name, JsonElement value, Func<string, MixQException> fail) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long offset) && offset >= 0
            ? offset
            : throw fail($"entry '{name}' has an invalid data offset {value.GetRawText()}");

    /// <summary>Sorts by offset and checks that the entries tile [0, dataLength) exactly.</summary>
    private static void CheckLayout(List<HeaderEntry> entries, long dataLength, Func<string, MixQException> fail)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long covered = 0;
        HeaderEntry? previous = null;
        foreach (var e in entries)
        {
            if (e.End > dataLength)
                throw fail($"entry '{e.Name}' has data_offsets [{e.Begin}, {e.End}] beyond the {dataLength}-byte data section (is the file truncated?)");
            if (e.Begin < covered)
                throw fail($"entries '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{e.Name}' [{e.Begin}, {e.End}] overlap");
            if (e.Begin > covered)
                throw fail($"data bytes [{covered}, {e.Begin}) before entry '{e.Name}' belong to no entry");
            covered = e.End;
            previous = e;
        }
        if (covered != dataLength)
            throw fail($"the data section is {dataLength} bytes but the entries cover {covered} (file length does not match the header)");
    }
}
