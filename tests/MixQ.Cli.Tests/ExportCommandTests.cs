using System.Text.Json;

namespace MixQ.Cli.Tests;

/// <summary>`mixq export` and `mixq eval --integer`, end to end, and their bad input.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-x-" + Guid.NewGuid().ToString("N"));

    public ExportCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static void AssertOneErrorLine(MixQProcess.Result r, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.StartsWith("mixq: error: ", StringComparison.Ordinal));
        Assert.StartsWith("mixq: error: ", lines[^1]);
        Assert.Contains(expected, lines[^1]);
        Assert.DoesNotContain("   at ", r.Stdout + r.Stderr);
    }

    [Fact]
    public void ExportedIntegerModelMatchesTheQuantizedCheckpoint()
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, "data"), trainRows: 600, testRows: 300);
        string floatDir = Path.Combine(_dir, "float");
        Assert.Equal(0, MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", csv, "--epochs", "3", "--batch-size", "32",
            "--lr", "0.05", "--out", floatDir).ExitCode);
        string qDir = Path.Combine(_dir, "q");
        var q = MixQProcess.Run(_dir, "quantize", "--checkpoint", Path.Combine(floatDir, "checkpoint.safetensors"), "--data", csv,
            "--method", "rmsmp", "--epochs", "1", "--batch-size", "32", "--first-last", "mix", "--out", qDir, "--json");
        Assert.True(q.ExitCode == 0, q.Stderr);
        string checkpoint = Path.Combine(qDir, "quantized.safetensors");

        string intDir = Path.Combine(_dir, "int");
        var export = MixQProcess.Run(_dir, "export", "--checkpoint", checkpoint, "--out", intDir, "--json");
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.True(File.Exists(Path.Combine(intDir, "model.json")) && File.Exists(Path.Combine(intDir, "arrays.bin")));
        using (var json = JsonDocument.Parse(export.LastStdoutLine))
        {
            Assert.Equal("rmsmp", json.RootElement.GetProperty("method").GetString());
            Assert.InRange(json.RootElement.GetProperty("max_accumulator_bits").GetInt32(), 8, 32);
        }

        var eval = MixQProcess.Run(_dir, "eval", "--integer", intDir, "--data", csv, "--compare", checkpoint, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var result = JsonDocument.Parse(eval.LastStdoutLine);
        var root = result.RootElement;
        Assert.Equal(300, root.GetProperty("samples").GetInt32());
        Assert.Equal("integer", root.GetProperty("engine").GetString());
        Assert.True(root.GetProperty("prediction_agreement").GetDouble() >= 0.999);
        Assert.Equal(root.GetProperty("fake_quant_accuracy").GetDouble(), root.GetProperty("test_accuracy").GetDouble(), 2);

        // The checkpoint's own evaluation agrees with the fake-quant accuracy the comparison measured.
        var fake = MixQProcess.Run(_dir, "eval", "--checkpoint", checkpoint, "--data", csv, "--json");
        using var fakeJson = JsonDocument.Parse(fake.LastStdoutLine);
        Assert.Equal(fakeJson.RootElement.GetProperty("test_accuracy").GetDouble(), root.GetProperty("fake_quant_accuracy").GetDouble(), 9);

        // A truncated arrays file: one line, exit 2.
        string arrays = Path.Combine(intDir, "arrays.bin");
        var bytes = File.ReadAllBytes(arrays);
        File.WriteAllBytes(arrays, bytes[..^8]);
        AssertOneErrorLine(MixQProcess.Run(_dir, "eval", "--integer", intDir, "--data", csv), "(truncated or replaced file)");

        // A float checkpoint cannot be exported.
        AssertOneErrorLine(MixQProcess.Run(_dir, "export", "--checkpoint", Path.Combine(floatDir, "checkpoint.safetensors"), "--out", Path.Combine(_dir, "nope")),
            "is not a quantized model");
        Assert.False(Directory.Exists(Path.Combine(_dir, "nope")));
    }

    [Fact]
    public void EvalOfAMissingIntegerFolderIsOneLine() =>
        AssertOneErrorLine(MixQProcess.Run(_dir, "eval", "--integer", Path.Combine(_dir, "none"), "--data", "mnist"),
            $"integer model folder {Path.Combine(_dir, "none")} does not exist");

    [Fact]
    public void EvalNeedsExactlyOneModel() =>
        AssertOneErrorLine(MixQProcess.Run(_dir, "eval", "--data", "mnist"), "give exactly one of --checkpoint and --integer");

    [Fact]
    public void ExportOfAMissingCheckpointIsOneLineAndWritesNothing()
    {
        string outDir = Path.Combine(_dir, "out");
        AssertOneErrorLine(MixQProcess.Run(_dir, "export", "--checkpoint", Path.Combine(_dir, "missing.safetensors"), "--out", outDir), "does not exist");
        Assert.False(Directory.Exists(outDir));
    }
}
