using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixQ.NN.IO;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Saves and loads an <see cref="IntegerModel"/> as a folder with model.json and arrays.bin (docs/integer-format.md).
/// Both files are written atomically, arrays first. Loading validates everything and reports the first problem as
/// one MixQException line naming the file.
/// <para>Version 2 adds what HGQ models need: the fixed-point entrance, <c>shift_requantize</c> and multiplicand
/// weights. A model without them is still written as version 1 (readable by earlier MixQ releases); both load.</para>
/// </summary>
public static class IntegerModelFile
{
    public const string FormatName = "mixq-integer-model";
    /// <summary>The newest version written and read.</summary>
    public const int Version = 2;

    /// <summary>The version of files without HGQ content.</summary>
    public const int RowWiseVersion = 1;
    public const string MetadataFileName = "model.json";
    public const string ArraysFileName = "arrays.bin";

    public static void Save(IntegerModel model, string folder)
    {
        model.Analyze();
        Directory.CreateDirectory(folder);
        var arrays = new MemoryStream();
        var input = InputJson(model.Input, arrays);
        var layers = new JsonArray();
        foreach (var layer in model.Layers) layers.Add(LayerJson(layer, arrays));
        var root = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = NeedsVersion2(model) ? Version : RowWiseVersion,
            ["model"] = model.ModelName,
            ["method"] = model.Method,
            ["input_shape"] = Ints(model.InputShape),
            ["num_classes"] = model.NumClasses,
            ["output_scale"] = model.OutputScale,
            ["input"] = input,
            ["arrays"] = new JsonObject { ["file"] = ArraysFileName, ["bytes"] = arrays.Length },
            ["layers"] = layers,
        };
        AtomicFile.Write(Path.Combine(folder, ArraysFileName), s => arrays.WriteTo(s));
        string json = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.Write(Path.Combine(folder, MetadataFileName), s => s.Write(System.Text.Encoding.UTF8.GetBytes(json + "\n")));
    }

    public static IntegerModel Load(string folder)
    {
        string metaPath = Path.Combine(folder, MetadataFileName);
        if (!Directory.Exists(folder)) throw new MixQException($"integer model folder {folder} does not exist");
        if (!File.Exists(metaPath)) throw new MixQException($"{metaPath} does not exist (not an exported integer model)");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(metaPath)) as JsonObject ?? throw new MixQException($"{metaPath}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new MixQException($"{metaPath}: not valid JSON ({e.Message})");
        }
        var reader = new Reader(metaPath);
        try
        {
            if (reader.String(root, "format") != FormatName) throw reader.Error($"format is not '{FormatName}'");
            int version = reader.Int(root, "version");
            if (version is not (RowWiseVersion or Version)) throw reader.Error($"version {version} is not supported (expected {RowWiseVersion} or {Version})");
            reader.Version = version;
            var arraysInfo = reader.Object(root, "arrays");
            string arraysName = reader.String(arraysInfo, "file");
            if (arraysName != Path.GetFileName(arraysName)) throw reader.Error($"arrays file '{arraysName}' must be a plain file name");
            string arraysPath = Path.Combine(folder, arraysName);
            if (!File.Exists(arraysPath)) throw new MixQException($"{arraysPath} does not exist");
            byte[] blob = File.ReadAllBytes(arraysPath);
            long expected = reader.Long(arraysInfo, "bytes");
            if (blob.Length != expected)
                throw new MixQException($"{arraysPath} is {blob.Length} bytes, {MetadataFileName} expects {expected} (truncated or replaced file)");
            reader.Blob = blob;
            reader.BlobPath = arraysPath;

            var input = ReadInput(reader.Object(root, "input"), reader);
            var layers = new List<IntLayer>();
            int i = 0;
            foreach (var node in reader.Array(root, "layers"))
            {
                reader.Where = $"layer {i++}";
                layers.Add(ReadLayer(node as JsonObject ?? throw reader.Error("is not an object"), reader));
            }
            reader.Where = null;
            var model = new IntegerModel(
                reader.String(root, "model"),
                reader.IntArray(root, "input_shape"),
                reader.Int(root, "num_classes"),
                input,
                layers,
                reader.Double(root, "output_scale"),
                reader.String(root, "method"));
            model.Analyze();
            return model;
        }
        catch (MixQException e) when (!e.Message.StartsWith(folder, StringComparison.Ordinal) && !e.Message.Contains(metaPath) && !e.Message.Contains(ArraysFileName))
        {
            throw new MixQException($"{metaPath}: {e.Message}", e);
        }
    }

    private static JsonObject LayerJson(IntLayer layer, MemoryStream arrays)
    {
        var o = new JsonObject { ["op"] = layer.Op, ["name"] = layer.Name };
        switch (layer)
        {
            case IntDense d:
                o["in_features"] = d.InFeatures;
                o["out_features"] = d.OutFeatures;
                MatrixJson(o, d.Input, d.AccumulatorBits, d.Weights, d.Bias, arrays);
                break;
            case IntConv2d c:
                o["in_channels"] = c.InChannels;
                o["out_channels"] = c.OutChannels;
                o["kernel_size"] = c.KernelSize;
                o["stride"] = c.Stride;
                o["padding"] = c.Padding;
                MatrixJson(o, c.Input, c.AccumulatorBits, c.Weights, c.Bias, arrays);
                break;
            case IntRequantize r:
                o["multipliers"] = Ints(r.Multipliers);
                o["shifts"] = Ints(r.Shifts);
                o["offsets"] = new JsonArray(r.Offsets.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
                o["min"] = r.Min;
                o["max"] = r.Max;
                break;
            case IntShiftRequantize q:
                FormatsJson(o, q.Formats, arrays);
                break;
            case IntClamp k:
                o["min"] = k.Min;
                o["max"] = k.Max;
                break;
            case IntMaxPool2d p:
                o["kernel_size"] = p.KernelSize;
                o["stride"] = p.Stride;
                o["padding"] = p.Padding;
                break;
            case IntGlobalSumPool or IntFlatten:
                break;
            default:
                throw new MixQException($"cannot save layer type {layer.GetType().Name}");
        }
        return o;
    }

    private static bool NeedsVersion2(IntegerModel model) =>
        model.Input is not InputQuantization || model.Layers.Any(l => l switch
        {
            IntShiftRequantize => true,
            IntDense d => d.Weights.Encoding != WeightEncoding.Words,
            IntConv2d c => c.Weights.Encoding != WeightEncoding.Words,
            _ => false,
        });

    private static JsonObject InputJson(EntranceQuantizer input, MemoryStream arrays)
    {
        switch (input)
        {
            case InputQuantization q:
                return new JsonObject { ["clip"] = q.Clip, ["bits"] = q.Codes.Bits, ["signed"] = q.Codes.Signed };
            case FixedPointEntrance f:
            {
                var o = new JsonObject { ["kind"] = f.Kind };
                FormatsJson(o, f.Formats, arrays);
                return o;
            }
            default:
                throw new MixQException($"cannot save entrance type {input.GetType().Name}");
        }
    }

    /// <summary>Per-element fixed-point formats: the modes by name, the four per-element arrays in arrays.bin.</summary>
    private static void FormatsJson(JsonObject o, ElementFormats f, MemoryStream arrays)
    {
        o["rounding"] = ElementFormats.Name(f.Rounding);
        o["overflow"] = ElementFormats.Name(f.Overflow);
        o["shifts"] = AppendInts(arrays, f.Shifts, [f.Count]);
        o["widths"] = AppendInts(arrays, f.Widths, [f.Count]);
        o["signed"] = AppendArray(arrays, f.Signed.Select(b => b ? (byte)1 : (byte)0).ToArray(), "u8", [f.Count]);
        o["aligns"] = AppendInts(arrays, f.Aligns, [f.Count]);
    }

    private static JsonObject AppendInts(MemoryStream arrays, ReadOnlySpan<int> values, int[] shape)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        return AppendArray(arrays, bytes, "i32", shape);
    }

    private static void MatrixJson(JsonObject o, ActivationCodes input, int accumulatorBits, IntegerWeights w, long[] bias, MemoryStream arrays)
    {
        o["input"] = new JsonObject { ["bits"] = input.Bits, ["signed"] = input.Signed };
        o["accumulator_bits"] = accumulatorBits;
        if (w.Encoding == WeightEncoding.Multiplicands)
        {
            o["weights"] = new JsonObject
            {
                ["encoding"] = "multiplicands",
                ["rows"] = w.Rows,
                ["row_length"] = w.RowLength,
                ["fractional_bits"] = Ints(w.RowFractionalBits),
                ["values"] = AppendInts(arrays, w.Multiplicands, [w.Rows, w.RowLength]),
            };
            BiasJson(o, bias, arrays);
            return;
        }
        var scales = new JsonArray();
        foreach (float s in w.RowScales) scales.Add(s);
        o["weights"] = new JsonObject
        {
            ["rows"] = w.Rows,
            ["row_length"] = w.RowLength,
            ["formats"] = new JsonArray(w.RowFormats.Select(f => (JsonNode?)JsonValue.Create(f.ToString())).ToArray()),
            ["frames"] = Ints(w.RowFrames),
            ["scales"] = scales,
            ["codes"] = AppendArray(arrays, w.Codes.ToArray(), "u8", [w.Rows, w.RowLength]),
        };
        BiasJson(o, bias, arrays);
    }

    private static void BiasJson(JsonObject o, long[] bias, MemoryStream arrays)
    {
        var bytes = new byte[bias.Length * 8];
        for (int i = 0; i < bias.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), bias[i]);
        o["bias"] = AppendArray(arrays, bytes, "i64", [bias.Length]);
    }

    private static JsonObject AppendArray(MemoryStream arrays, byte[] bytes, string dtype, int[] shape)
    {
        while (arrays.Length % 8 != 0) arrays.WriteByte(0);
        long offset = arrays.Length;
        arrays.Write(bytes);
        return new JsonObject
        {
            ["offset"] = offset,
            ["dtype"] = dtype,
            ["shape"] = Ints(shape),
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        };
    }

    private static IntLayer ReadLayer(JsonObject o, Reader r)
    {
        string name = r.String(o, "name");
        string op = r.String(o, "op");
        switch (op)
        {
            case "dense":
            {
                var (input, acc, weights, bias) = ReadMatrix(o, r);
                var d = new IntDense(name, weights, bias, input, acc);
                if (r.Int(o, "in_features") != d.InFeatures || r.Int(o, "out_features") != d.OutFeatures)
                    throw r.Error("in_features/out_features do not match the weights");
                return d;
            }
            case "conv2d":
            {
                var (input, acc, weights, bias) = ReadMatrix(o, r);
                var c = new IntConv2d(name, weights, bias, input, acc, r.Int(o, "in_channels"), r.Int(o, "kernel_size"), r.Int(o, "stride"), r.Int(o, "padding"));
                if (r.Int(o, "out_channels") != c.OutChannels) throw r.Error("out_channels does not match the weights");
                return c;
            }
            case "shift_requantize":
                r.RequireVersion2($"op '{op}'");
                return new IntShiftRequantize(name, ReadFormats(o, r));
            case "requantize":
                return new IntRequantize(name, r.IntArray(o, "multipliers"), r.IntArray(o, "shifts"), r.LongArray(o, "offsets"), r.Long(o, "min"), r.Long(o, "max")).Validate();
            case "clamp":
                return new IntClamp(name, r.Long(o, "min"), r.Long(o, "max"));
            case "maxpool2d":
                return new IntMaxPool2d(name, r.Int(o, "kernel_size"), r.Int(o, "stride"), r.Int(o, "padding"));
            case "global_sum_pool":
                return new IntGlobalSumPool(name);
            case "flatten":
                return new IntFlatten(name);
            default:
                throw r.Error($"unknown op '{op}'");
        }
    }

    private static (ActivationCodes Input, int AccumulatorBits, IntegerWeights Weights, long[] Bias) ReadMatrix(JsonObject o, Reader r)
    {
        var inputNode = r.Object(o, "input");
        var input = new ActivationCodes(r.Int(inputNode, "bits"), r.Bool(inputNode, "signed")).Validate(r.Where ?? "layer");
        int acc = r.Int(o, "accumulator_bits");
        var w = r.Object(o, "weights");
        int rows = r.Int(w, "rows"), length = r.Int(w, "row_length");
        if (rows < 1 || length < 1 || (long)rows * length > int.MaxValue / 8) throw r.Error($"bad weight shape {rows} x {length}");
        string encoding = w["encoding"] is null ? "words" : r.String(w, "encoding");
        if (encoding == "multiplicands")
        {
            r.RequireVersion2("weight encoding 'multiplicands'");
            var fractional = r.IntArray(w, "fractional_bits");
            var values = r.Int32Array(w, "values", [rows, length]);
            try
            {
                return (input, acc, IntegerWeights.FromMultiplicands(rows, length, fractional, values), ReadBias(o, r, rows));
            }
            catch (MixQException e)
            {
                throw r.Error(e.Message);
            }
        }
        if (encoding != "words") throw r.Error($"unknown weight encoding '{encoding}' (expected words or multiplicands)");
        var formats = r.Array(w, "formats").Select(f => NumberFormat.Parse(f?.GetValue<string>() ?? "", r.Describe("formats"))).ToArray();
        var frames = r.IntArray(w, "frames");
        var scales = r.Array(w, "scales").Select(s => s is JsonValue v && v.TryGetValue(out float f) ? f : throw r.Error("scales must be numbers")).ToArray();
        byte[] codes = r.ArrayBytes(w, "codes", "u8", [rows, length], 1);
        var bias = ReadBias(o, r, rows);
        try
        {
            return (input, acc, new IntegerWeights(rows, length, formats, frames, scales, codes), bias);
        }
        catch (MixQException e)
        {
            throw r.Error(e.Message);
        }
    }

    private static long[] ReadBias(JsonObject o, Reader r, int rows)
    {
        byte[] biasBytes = r.ArrayBytes(o, "bias", "i64", [rows], 8);
        var bias = new long[rows];
        for (int i = 0; i < rows; i++) bias[i] = BinaryPrimitives.ReadInt64LittleEndian(biasBytes.AsSpan(i * 8));
        return bias;
    }

    private static EntranceQuantizer ReadInput(JsonObject o, Reader r)
    {
        r.Where = "input";
        string kind = o["kind"] is null ? "clip" : r.String(o, "kind");
        EntranceQuantizer result;
        switch (kind)
        {
            case "clip":
                result = new InputQuantization(r.Float(o, "clip"), new ActivationCodes(r.Int(o, "bits"), r.Bool(o, "signed")));
                break;
            case "fixed_point":
                r.RequireVersion2("input kind 'fixed_point'");
                result = new FixedPointEntrance(ReadFormats(o, r));
                break;
            default:
                throw r.Error($"unknown input kind '{kind}' (expected clip or fixed_point)");
        }
        r.Where = null;
        return result;
    }

    private static ElementFormats ReadFormats(JsonObject o, Reader r)
    {
        string rounding = r.String(o, "rounding"), overflow = r.String(o, "overflow");
        var roundingMode = ElementFormats.ParseRounding(rounding) ?? throw r.Error($"unknown rounding '{rounding}' (expected truncate, half-up or half-even)");
        var overflowMode = ElementFormats.ParseOverflow(overflow) ?? throw r.Error($"unknown overflow '{overflow}' (expected wrap, saturate or symmetric)");
        int count = r.Array(r.Object(o, "shifts"), "shape") is [JsonValue v] && v.TryGetValue(out int n) && n >= 0 ? n
            : throw r.Error("array 'shifts' must have a one-dimensional shape");
        var signedBytes = r.ArrayBytes(o, "signed", "u8", [count], 1);
        if (signedBytes.Any(b => b > 1)) throw r.Error("array 'signed' must hold 0 or 1");
        return new ElementFormats(r.Int32Array(o, "shifts", [count]), r.Int32Array(o, "widths", [count]),
            signedBytes.Select(b => b == 1).ToArray(), r.Int32Array(o, "aligns", [count]), roundingMode, overflowMode);
    }

    private static JsonArray Ints(IEnumerable<int> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>Typed access to model.json with one-line errors that say where.</summary>
    private sealed class Reader(string path)
    {
        public string? Where { get; set; }
        public int Version { get; set; }
        public byte[] Blob { get; set; } = [];

        /// <summary>Version 1 files cannot hold HGQ content: a reader of version 1 would not know it.</summary>
        public void RequireVersion2(string what)
        {
            if (Version < 2) throw Error($"{what} needs format version 2 (the file says {Version})");
        }

        public int[] Int32Array(JsonObject o, string name, int[] shape)
        {
            var bytes = ArrayBytes(o, name, "i32", shape, 4);
            var values = new int[bytes.Length / 4];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4));
            return values;
        }
        public string BlobPath { get; set; } = "";

        public MixQException Error(string message) => new($"{path}: {(Where is null ? "" : Where + ": ")}{message}");

        public string Describe(string field) => $"{path}{(Where is null ? "" : ", " + Where)}, field '{field}'";

        private JsonNode Field(JsonObject o, string name) => o[name] ?? throw Error($"field '{name}' is missing");

        public JsonObject Object(JsonObject o, string name) => Field(o, name) as JsonObject ?? throw Error($"field '{name}' must be an object");
        public JsonArray Array(JsonObject o, string name) => Field(o, name) as JsonArray ?? throw Error($"field '{name}' must be an array");

        public string String(JsonObject o, string name) =>
            Field(o, name) is JsonValue v && v.TryGetValue(out string? s) ? s : throw Error($"field '{name}' must be a string");

        public bool Bool(JsonObject o, string name) =>
            Field(o, name) is JsonValue v && v.TryGetValue(out bool b) ? b : throw Error($"field '{name}' must be true or false");

        public long Long(JsonObject o, string name) =>
            Field(o, name) is JsonValue v && v.TryGetValue(out long l) ? l : throw Error($"field '{name}' must be a whole number");

        public int Int(JsonObject o, string name) =>
            Field(o, name) is JsonValue v && v.TryGetValue(out int i) ? i : throw Error($"field '{name}' must be a whole number");

        public float Float(JsonObject o, string name) =>
            Field(o, name) is JsonValue v && v.TryGetValue(out float f) ? f : throw Error($"field '{name}' must be a number");

        public double Double(JsonObject o, string name) =>
            Field(o, name) is JsonValue v && v.TryGetValue(out double d) ? d : throw Error($"field '{name}' must be a number");

        public int[] IntArray(JsonObject o, string name) =>
            Array(o, name).Select(n => n is JsonValue v && v.TryGetValue(out int i) ? i : throw Error($"field '{name}' must hold whole numbers")).ToArray();

        public long[] LongArray(JsonObject o, string name) =>
            Array(o, name).Select(n => n is JsonValue v && v.TryGetValue(out long l) ? l : throw Error($"field '{name}' must hold whole numbers")).ToArray();

        public byte[] ArrayBytes(JsonObject o, string name, string dtype, int[] shape, int elementSize)
        {
            var a = Object(o, name);
            string actual = String(a, "dtype");
            if (actual != dtype) throw Error($"array '{name}' has dtype '{actual}', expected '{dtype}'");
            var actualShape = IntArray(a, "shape");
            if (!actualShape.AsSpan().SequenceEqual(shape))
                throw Error($"array '{name}' has shape [{string.Join(", ", actualShape)}], expected [{string.Join(", ", shape)}]");
            long offset = Long(a, "offset");
            long length = shape.Aggregate(1L, (x, y) => x * y) * elementSize;
            if (offset < 0 || offset + length > Blob.Length)
                throw new MixQException($"{BlobPath}: array '{name}' of {Where} ({length} bytes at offset {offset}) lies outside the file's {Blob.Length} bytes (truncated file)");
            var bytes = Blob.AsSpan((int)offset, (int)length).ToArray();
            string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(hash, String(a, "sha256"), StringComparison.OrdinalIgnoreCase))
                throw new MixQException($"{BlobPath}: array '{name}' of {Where} fails its SHA-256 check (corrupt file)");
            return bytes;
        }
    }
}
