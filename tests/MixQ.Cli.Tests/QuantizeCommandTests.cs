using System.Text.Json;

namespace MixQ.Cli.Tests;

/// <summary>`mixq quantize`, `mixq plan show` and evaluation of a quantized checkpoint, end to end.</summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-q-" + Guid.NewGuid().ToString("N"));

    public QuantizeCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void QuantizeReportsJsonWritesAPlanAndEvalReproducesTheAccuracy()
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, "data"), trainRows: 800, testRows: 200);
        string floatDir = Path.Combine(_dir, "float");
        Assert.Equal(0, MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", csv, "--epochs", "4", "--batch-size", "32",
            "--lr", "0.05", "--out", floatDir).ExitCode);
        string qDir = Path.Combine(_dir, "q");
        var q = MixQProcess.Run(_dir, "quantize", "--checkpoint", Path.Combine(floatDir, "checkpoint.safetensors"), "--data", csv,
            "--method", "rmsmp", "--epochs", "1", "--batch-size", "32", "--first-last", "mix", "--out", qDir, "--json");
        Assert.True(q.ExitCode == 0, q.Stderr);
        using var json = JsonDocument.Parse(q.LastStdoutLine);
        var root = json.RootElement;
        Assert.Equal("rmsmp", root.GetProperty("method").GetString());
        Assert.Equal("hessian", root.GetProperty("rule").GetString());
        double accuracy = root.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(accuracy, 0.7, 1.0);
        Assert.InRange(root.GetProperty("average_weight_bits").GetDouble(), 4.0, 4.4);
        Assert.True(root.GetProperty("seconds").GetDouble() > 0);

        var show = MixQProcess.Run(_dir, "plan", "show", Path.Combine(qDir, "plan.json"));
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("sp2-4", show.Stdout);
        Assert.Contains("total", show.Stdout);

        var eval = MixQProcess.Run(_dir, "eval", "--checkpoint", Path.Combine(qDir, "quantized.safetensors"), "--data", csv, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var evalJson = JsonDocument.Parse(eval.LastStdoutLine);
        Assert.Equal(accuracy, evalJson.RootElement.GetProperty("test_accuracy").GetDouble(), 9);
    }

    [Fact]
    public void ARatioThatDoesNotSumTo100EndsInOneLineAndWritesNothing()
    {
        string outDir = Path.Combine(_dir, "q");
        var r = MixQProcess.Run(_dir, "quantize", "--checkpoint", "missing.safetensors", "--data", "x", "--method", "msq",
            "--ratio", "sp2-4:60,fixed-4:30", "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("mixq: error: mix 'sp2-4:60,fixed-4:30' (in --ratio): shares sum to 90, not 100", r.Stderr.Trim());
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void PlanShowOfAMissingFileIsOneLine()
    {
        var r = MixQProcess.Run(Path.GetTempPath(), "plan", "show", "/nonexistent/plan.json");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("mixq: error: plan /nonexistent/plan.json does not exist", r.Stderr.Trim());
    }
}
