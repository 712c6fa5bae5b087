using MixQ.NN.Models;
using MixQ.Quantization.Integer;

namespace MixQ.Quantization.Tests.Integer;

public sealed class IntegerModelFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-int-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private IntegerModel Saved(out string folder)
    {
        var model = IntegerTestModels.QuantizedConvNet("sp2-4:40,fixed-4:30,pot-4:10,fixed-8:10,sp2-8:10", 3);
        var integer = IntegerConverter.Convert(model, new ModelSpec("convnet", [2, 6, 6], 3), "rmsmp").Model;
        folder = Path.Combine(_dir, "m");
        IntegerModelFile.Save(integer, folder);
        return integer;
    }

    [Fact]
    public void SaveThenLoadGivesTheSameModelAndTheSameLogits()
    {
        var original = Saved(out string folder);
        Assert.Equal(new[] { IntegerModelFile.ArraysFileName, IntegerModelFile.MetadataFileName }, Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Order().ToArray());
        var loaded = IntegerModelFile.Load(folder);
        Assert.Equal(original.Input, loaded.Input);
        Assert.Equal(original.OutputScale, loaded.OutputScale);
        Assert.Equal(original.Layers.Select(l => l.Op), loaded.Layers.Select(l => l.Op));
        var a = (IntConv2d)original.Layers[0];
        var b = (IntConv2d)loaded.Layers[0];
        Assert.Equal(a.Weights.Codes.ToArray(), b.Weights.Codes.ToArray());
        Assert.Equal(a.Weights.RowScales, b.Weights.RowScales);
        Assert.Equal(a.Weights.RowFormats, b.Weights.RowFormats);
        var x = IntegerTestModels.RandomInputs(new Random(4), 20 * 72);
        Assert.Equal(new IntegerEngine(original).Logits(x, 20), new IntegerEngine(loaded).Logits(x, 20));
        // Saving again gives the same bytes (deterministic output).
        string again = Path.Combine(_dir, "again");
        IntegerModelFile.Save(loaded, again);
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "arrays.bin")), File.ReadAllBytes(Path.Combine(again, "arrays.bin")));
    }

    [Fact]
    public void ATruncatedArraysFileIsOneClearError()
    {
        Saved(out string folder);
        string arrays = Path.Combine(folder, "arrays.bin");
        var bytes = File.ReadAllBytes(arrays);
        File.WriteAllBytes(arrays, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(folder));
        Assert.Equal($"{arrays} is {bytes.Length / 2} bytes, model.json expects {bytes.Length} (truncated or replaced file)", e.Message);
    }

    [Fact]
    public void AFlippedByteFailsTheChecksum()
    {
        Saved(out string folder);
        string arrays = Path.Combine(folder, "arrays.bin");
        var bytes = File.ReadAllBytes(arrays);
        bytes[3] ^= 0x01;
        File.WriteAllBytes(arrays, bytes);
        var e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(folder));
        Assert.Contains("fails its SHA-256 check (corrupt file)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("\"op\": \"maxpool2d\"", "\"op\": \"avgpool\"", "unknown op 'avgpool'")]
    [InlineData("\"accumulator_bits\"", "\"accumulator_bitz\"", "field 'accumulator_bits' is missing")]
    [InlineData("\"format\": \"mixq-integer-model\"", "\"format\": \"other\"", "format is not 'mixq-integer-model'")]
    [InlineData("\"dtype\": \"u8\"", "\"dtype\": \"f32\"", "has dtype 'f32', expected 'u8'")]
    [InlineData("\"version\": 1", "\"version\": 7", "version 7 is not supported")]
    public void ABadFieldIsNamedInOneLine(string from, string to, string expected)
    {
        Saved(out string folder);
        string meta = Path.Combine(folder, "model.json");
        string text = File.ReadAllText(meta);
        Assert.Contains(from, text);
        int at = text.IndexOf(from, StringComparison.Ordinal);
        File.WriteAllText(meta, text[..at] + to + text[(at + from.Length)..]);
        var e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(folder));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(meta, e.Message);
    }

    [Fact]
    public void WordsThatDoNotFitTheRowFormatAreRejected()
    {
        Saved(out string folder);
        string meta = Path.Combine(folder, "model.json");
        // Declare every 8-bit row of the first layer as 2-bit: its words then have bits above the width.
        string text = File.ReadAllText(meta).Replace("\"fixed-8\"", "\"fixed-2\"");
        File.WriteAllText(meta, text);
        var e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(folder));
        Assert.Contains("fixed-2", e.Message);
    }

    [Fact]
    public void AMissingFolderOrMetadataIsOneLine()
    {
        var e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(Path.Combine(_dir, "nothing")));
        Assert.Equal($"integer model folder {Path.Combine(_dir, "nothing")} does not exist", e.Message);
        Directory.CreateDirectory(_dir);
        e = Assert.Throws<MixQException>(() => IntegerModelFile.Load(_dir));
        Assert.Contains("does not exist (not an exported integer model)", e.Message);
    }
}
