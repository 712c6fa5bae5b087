using System.Text.Json;

namespace MixQ.Hardware.Devices;

/// <summary>
/// The built-in devices (figures from the vendor product tables, see docs/hardware.md) and user devices read from
/// JSON files. <see cref="Resolve"/> takes either a built-in name (case-insensitive) or a path to a .json file.
/// </summary>
public static class DeviceCatalog
{
    /// <summary>
    /// Zynq-7000 and Zynq/Virtex UltraScale+ parts. Default clocks are design choices (docs/hardware.md):
    /// 100 MHz on the small Zynq (PYNQ-class boards), 200 MHz on the XC7Z045 (ZC706), 300 MHz on UltraScale+.
    /// </summary>
    public static IReadOnlyList<FpgaDevice> BuiltIn { get; } =
    [
        new("XC7Z020", luts: 53_200, flipFlops: 106_400, DspKind.DSP48E1, dsps: 220, bram36: 140, clockMHz: 100),
        new("XC7Z045", luts: 218_600, flipFlops: 437_200, DspKind.DSP48E1, dsps: 900, bram36: 545, clockMHz: 200),
        new("XCZU9EG", luts: 274_080, flipFlops: 548_160, DspKind.DSP48E2, dsps: 2_520, bram36: 912, clockMHz: 300),
        new("XCVU9P", luts: 1_182_240, flipFlops: 2_364_480, DspKind.DSP48E2, dsps: 6_840, bram36: 2_160, clockMHz: 300),
    ];

    /// <summary>The built-in device called <paramref name="name"/>, or null.</summary>
    public static FpgaDevice? Find(string name) =>
        BuiltIn.FirstOrDefault(d => string.Equals(d.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>A built-in device by name, or a device file when the text names a .json file or an existing file.</summary>
    public static FpgaDevice Resolve(string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath))
            return Load(nameOrPath);
        return Find(nameOrPath) ?? throw new MixQException(
            $"unknown device '{nameOrPath}' (expected one of: {string.Join(", ", BuiltIn.Select(d => d.Name))}, or a device .json file)");
    }

    /// <summary>Reads a device file (fields in docs/hardware.md); every problem is one line naming the file and the field.</summary>
    public static FpgaDevice Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MixQException($"cannot read device file {path}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses the JSON text of a device file; <paramref name="source"/> names it in messages.</summary>
    public static FpgaDevice Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MixQException($"device file {source} is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new MixQException($"device file {source}: expected a JSON object");
            string name = RequiredString(root, "name", source);
            long luts = Count(root, "luts", source, positive: true);
            long ffs = Count(root, "flip_flops", source, positive: false);
            long dsps = Count(root, "dsps", source, positive: false);
            long bram = Count(root, "bram36", source, positive: false);
            string kindText = RequiredString(root, "dsp_kind", source);
            DspKind kind = kindText.ToUpperInvariant() switch
            {
                "DSP48E1" => DspKind.DSP48E1,
                "DSP48E2" => DspKind.DSP48E2,
                _ => throw new MixQException($"device file {source}: field 'dsp_kind' must be DSP48E1 or DSP48E2, got '{kindText}'"),
            };
            double clock = Number(root, "clock_mhz", source);
            if (!(clock > 0)) throw new MixQException($"device file {source}: field 'clock_mhz' must be positive, got {clock}");
            return new FpgaDevice(name, luts, ffs, kind, dsps, bram, clock);
        }
    }

    private static JsonElement Field(JsonElement root, string field, string source) =>
        root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new MixQException($"device file {source}: missing field '{field}'");

    private static string RequiredString(JsonElement root, string field, string source)
    {
        var value = Field(root, field, source);
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            throw new MixQException($"device file {source}: field '{field}' must be a non-empty string");
        return value.GetString()!;
    }

    private static double Number(JsonElement root, string field, string source)
    {
        var value = Field(root, field, source);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double d))
            throw new MixQException($"device file {source}: field '{field}' must be a number");
        return d;
    }

    private static long Count(JsonElement root, string field, string source, bool positive)
    {
        var value = Field(root, field, source);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long n))
            throw new MixQException($"device file {source}: field '{field}' must be a whole number");
        if (n < 0) throw new MixQException($"device file {source}: field '{field}' must not be negative, got {n}");
        if (positive && n == 0) throw new MixQException($"device file {source}: field '{field}' must be positive, got 0");
        return n;
    }
}
