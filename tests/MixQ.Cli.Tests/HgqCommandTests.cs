using System.Text.Json;

namespace MixQ.Cli.Tests;

/// <summary>`mixq quantize --method hgq` end to end: JSON summary, Pareto files and checkpoints, bad input.</summary>
public sealed class HgqCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-hgq-" + Guid.NewGuid().ToString("N"));

    public HgqCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string TrainFloat(int features = 6)
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, $"data{features}"), trainRows: 800, testRows: 200, features: features);
        string floatDir = Path.Combine(_dir, $"float{features}");
        var train = MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", csv, "--epochs", "4", "--batch-size", "32", "--lr", "0.05", "--out", floatDir);
        Assert.True(train.ExitCode == 0, train.Stderr);
        return Path.Combine(floatDir, "checkpoint.safetensors");
    }

    [Fact]
    public void HgqWritesTheParetoFrontAsCsvJsonAndSvgAndReportsItInTheLastJsonLine()
    {
        string checkpoint = TrainFloat();
        string csv = Path.Combine(_dir, "data6", "train.csv");
        string outDir = Path.Combine(_dir, "hgq");
        var r = MixQProcess.Run(_dir, "quantize", "--method", "hgq", "--checkpoint", checkpoint, "--data", csv, "--epochs", "3",
            "--batch-size", "32", "--beta-schedule", "log:1e-6:1e-3", "--out", outDir, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.LastStdoutLine);
        var root = json.RootElement;
        Assert.Equal("hgq", root.GetProperty("method").GetString());
        Assert.True(root.GetProperty("seconds").GetDouble() > 0);
        Assert.Equal(0, root.GetProperty("integer_mismatches").GetInt64());
        var pareto = root.GetProperty("pareto").EnumerateArray().ToList();
        Assert.NotEmpty(pareto);
        foreach (var p in pareto)
        {
            Assert.InRange(p.GetProperty("test_accuracy").GetDouble(), 0, 1);
            Assert.True(p.GetProperty("ebops").GetInt64() > 0);
            Assert.True(File.Exists(p.GetProperty("checkpoint").GetString()));
        }
        var csvLines = File.ReadAllLines(Path.Combine(outDir, "pareto.csv"));
        Assert.Equal(pareto.Count + 1, csvLines.Length);
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(outDir, "pareto.svg")));
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "pareto.json")));
        Assert.Equal(pareto.Count, file.RootElement.GetProperty("pareto").GetArrayLength());
        Assert.Equal(4, file.RootElement.GetProperty("evaluated").GetArrayLength());

        // A Pareto checkpoint evaluates to the accuracy recorded for it.
        var point = pareto[^1];
        var eval = MixQProcess.Run(_dir, "eval", "--checkpoint", point.GetProperty("checkpoint").GetString()!, "--data", csv, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var evalJson = JsonDocument.Parse(eval.LastStdoutLine);
        Assert.Equal(point.GetProperty("test_accuracy").GetDouble(), evalJson.RootElement.GetProperty("test_accuracy").GetDouble(), 12);
    }

    [Theory]
    [InlineData("--beta-schedule", "constant:-1e-6", "mixq: error: --beta-schedule 'constant:-1e-6': beta must not be negative, got -1e-6")]
    [InlineData("--beta-schedule", "log:1e-7:3", "mixq: error: --beta-schedule 'log:1e-7:3': beta 3 is absurd (at most 0.01)")]
    [InlineData("--target-ebops", "0", "mixq: error: --target-ebops must be a positive number of bit operations (at least 1), got 0")]
    [InlineData("--granularity", "pixel", "mixq: error: --granularity must be element, row, layer; got 'pixel'")]
    public void BadHgqSettingsEndInOneLineAndWriteNothing(string option, string value, string expected)
    {
        string outDir = Path.Combine(_dir, "never");
        var r = MixQProcess.Run(_dir, "quantize", "--method", "hgq", "--checkpoint", "missing.safetensors", "--data", "x",
            option, value, "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(expected, r.Stderr.Trim());
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void ACheckpointOfADifferentModelEndsInOneLine()
    {
        string checkpoint = TrainFloat(features: 6);
        string other = TinyData.WriteCsv(Path.Combine(_dir, "data4"), trainRows: 100, testRows: 50, features: 4);
        string outDir = Path.Combine(_dir, "never");
        var r = MixQProcess.Run(_dir, "quantize", "--method", "hgq", "--checkpoint", checkpoint, "--data", other, "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        string line = r.Stderr.Trim();
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("mixq: error: model mlp was built for inputs [6], data has [4]", line);
        Assert.False(Directory.Exists(outDir));
    }
}
