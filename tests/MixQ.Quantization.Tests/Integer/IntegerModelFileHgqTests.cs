using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixQ.NN.Models;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>The integer model file with HGQ content (format version 2): round trip, version rules, malformed files.</summary>
public sealed class IntegerModelFileHgqTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-int-hgq-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static readonly Lazy<(IntegerModel Model, float[] Inputs, int Count)> Hgq = new(() =>
    {
        var (model, spec, test) = HgqTrainedModels.Train(conv: true, HgqGranularity.Element, RoundingMode.RoundHalfEven, OverflowMode.Wrap, seed: 77);
        return (HgqIntegerConverter.Convert(model, spec), test.Features, test.Count);
    });

    private string Saved()
    {
        string folder = Path.Combine(_dir, "m");
        IntegerModelFile.Save(Hgq.Value.Model, folder);
        return folder;
    }

    [Fact]
    public void AnHgqModelRoundTripsAsVersion2AndGivesTheSameLogits()
    {
        var original = Hgq.Value.Model;
        string folder = Saved();
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "model.json")))!;
        Assert.Equal(2, (int)json["version"]!);
        Assert.Equal("fixed_point", (string)json["input"]!["kind"]!);
        var loaded = IntegerModelFile.Load(folder);
        Assert.Equal(original.Layers.Select(l => l.Op), loaded.Layers.Select(l => l.Op));
        Assert.Equal(original.OutputScale, loaded.OutputScale);
        Assert.True(((FixedPointEntrance)original.Input).Formats.SameAs(((FixedPointEntrance)loaded.Input).Formats));
        for (int l = 0; l < original.Layers.Count; l++)
        {
            switch (original.Layers[l])
            {
                case IntShiftRequantize q:
                    Assert.True(q.Formats.SameAs(((IntShiftRequantize)loaded.Layers[l]).Formats));
                    break;
                case IntDense or IntConv2d:
                    var a = original.Layers[l] is IntDense d ? d.Weights : ((IntConv2d)original.Layers[l]).Weights;
                    var b = loaded.Layers[l] is IntDense e ? e.Weights : ((IntConv2d)loaded.Layers[l]).Weights;
                    Assert.Equal(a.Multiplicands.ToArray(), b.Multiplicands.ToArray());
                    Assert.Equal(a.RowFractionalBits, b.RowFractionalBits);
                    break;
            }
        }
        var (_, x, n) = Hgq.Value;
        Assert.Equal(new IntegerEngine(original).Logits(x, n), new IntegerEngine(loaded).Logits(x, n));
        string again = Path.Combine(_dir, "again");
        IntegerModelFile.Save(loaded, again);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "arrays.bin")), File.ReadAllBytes(Path.Combine(again, "arrays.bin")));
        Assert.Equal(File.ReadAllText(Path.Combine(folder, "model.json")), File.ReadAllText(Path.Combine(again, "model.json")));
    }

    [Fact]
    public void RowWiseModelsAreStillWrittenAsVersion1()
    {
        var model = IntegerTestModels.QuantizedConvNet("fixed-4:100", 3);
        var integer = IntegerConverter.Convert(model, new ModelSpec("convnet", [2, 6, 6], 3), "fixed").Model;
        string folder = Path.Combine(_dir, "rowwise");
        IntegerModelFile.Save(integer, folder);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "model.json")))!;
        Assert.Equal(1, (int)json["version"]!);
        Assert.Null(json["input"]!["kind"]);
        Assert.NotNull(IntegerModelFile.Load(folder));
    }

    [Theory]
    [InlineData("\"version\": 2", "\"version\": 1", "input: input kind 'fixed_point' needs format version 2 (the file says 1)")]
    [InlineData("\"rounding\": \"half-even\"", "\"rounding\": \"half-down\"", "unknown rounding 'half-down' (expected truncate, half-up or half-even)")]
    [InlineData("\"overflow\": \"wrap\"", "\"overflow\": \"clip\"", "unknown overflow 'clip' (expected wrap, saturate or symmetric)")]
    [InlineData("\"kind\": \"fixed_point\"", "\"kind\": \"float\"", "input: unknown input kind 'float' (expected clip or fixed_point)")]
    [InlineData("\"encoding\": \"multiplicands\"", "\"encoding\": \"csd\"", "unknown weight encoding 'csd' (expected words or multiplicands)")]
    [InlineData("\"op\": \"shift_requantize\"", "\"op\": \"shift_requantise\"", "unknown op 'shift_requantise'")]
    [InlineData("\"dtype\": \"i32\"", "\"dtype\": \"i16\"", "has dtype 'i16', expected 'i32'")]
    public void ABadHgqFieldIsNamedInOneLine(string from, string to, string expected)
    {
        string folder = Saved();
        string meta = Path.Combine(folder, "model.json");
        string text = File.ReadAllText(meta);
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"model.json has no {from}");
        File.WriteAllText(meta, text[..at] + to + text[(at + from.Length)..]);
        var e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(folder));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(meta, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("widths", 70, "element 0 has width 70 (0..62)")]
    [InlineData("shifts", 500, "element 0 has shift 500 (-127..127)")]
    [InlineData("aligns", -1, "element 0 has alignment -1")]
    [InlineData("values", int.MinValue, "multiplicand -2^31 is outside the symmetric int32 range")]
    public void ArraysWithImpossibleValuesAreRejectedEvenWithValidChecksums(string array, int value, string expected)
    {
        string folder = Saved();
        RewriteFirstInt(folder, array, value);
        var e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(folder));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ASignFlagOtherThanZeroOrOneIsRejected()
    {
        string folder = Saved();
        RewriteFirstByte(folder, "signed", 2);
        var e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(folder));
        Assert.Contains("array 'signed' must hold 0 or 1", e.Message);
    }

    /// <summary>Sets the first element of the first array called <paramref name="name"/> and fixes its checksum, as a careless writer would.</summary>
    private static void RewriteFirstInt(string folder, string name, int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        Rewrite(folder, name, bytes);
    }

    private static void RewriteFirstByte(string folder, string name, byte value) => Rewrite(folder, name, [value]);

    private static void Rewrite(string folder, string name, byte[] first)
    {
        string meta = Path.Combine(folder, "model.json"), arrays = Path.Combine(folder, "arrays.bin");
        var root = JsonNode.Parse(File.ReadAllText(meta))!;
        var reference = Find(root, name) ?? throw new InvalidOperationException($"no array {name}");
        long offset = (long)reference["offset"]!;
        int length = ((JsonArray)reference["shape"]!).Aggregate(1, (a, d) => a * (int)d!) * ((string)reference["dtype"]! == "u8" ? 1 : 4);
        var blob = File.ReadAllBytes(arrays);
        first.CopyTo(blob, offset);
        File.WriteAllBytes(arrays, blob);
        reference["sha256"] = Convert.ToHexStringLower(SHA256.HashData(blob.AsSpan((int)offset, length)));
        File.WriteAllText(meta, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonObject? Find(JsonNode node, string name)
    {
        switch (node)
        {
            case JsonObject o:
                if (o[name] is JsonObject hit && hit["offset"] is not null) return hit;
                foreach (var (_, child) in o)
                    if (child is not null && Find(child, name) is { } found) return found;
                return null;
            case JsonArray a:
                foreach (var child in a)
                    if (child is not null && Find(child, name) is { } found) return found;
                return null;
            default:
                return null;
        }
    }
}
