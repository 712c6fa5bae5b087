using System.Text.Json;
using MixQ.NN.Checkpoints;

namespace MixQ.Cli.Tests;

/// <summary>`mixq train` and `mixq eval` end to end, in a child process, on a small learnable table.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void TrainPrintsJsonSummaryAndEvalReproducesTheAccuracy()
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, "data"));
        string outDir = Path.Combine(_dir, "run");
        var train = MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", csv, "--epochs", "4", "--batch-size", "32",
            "--lr", "0.05", "--out", outDir, "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        using var summary = JsonDocument.Parse(train.LastStdoutLine);
        var root = summary.RootElement;
        double accuracy = root.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(accuracy, 0.8, 1.0); // the label is a simple function of the inputs
        Assert.Equal(4, root.GetProperty("epochs").GetInt32());
        Assert.True(root.GetProperty("seconds").GetDouble() > 0);
        Assert.True(root.GetProperty("samples_per_second").GetDouble() > 0);
        string checkpoint = Path.Combine(outDir, "checkpoint.safetensors");
        Assert.True(File.Exists(checkpoint));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp*"));

        var eval = MixQProcess.Run(_dir, "eval", "--checkpoint", checkpoint, "--data", csv, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var evalSummary = JsonDocument.Parse(eval.LastStdoutLine);
        Assert.Equal(accuracy, evalSummary.RootElement.GetProperty("test_accuracy").GetDouble(), 9);
    }

    [Fact]
    public void ResumeAfterKillEndsWithTheSameWeightsAsAnUninterruptedRun()
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, "data"), trainRows: 2000, testRows: 100);
        string[] common = ["train", "--model", "mlp", "--data", csv, "--epochs", "5", "--batch-size", "8", "--lr", "0.02", "--seed", "7"];

        string reference = Path.Combine(_dir, "reference");
        var full = MixQProcess.Run(_dir, [.. common, "--out", reference]);
        Assert.True(full.ExitCode == 0, full.Stderr);

        string interrupted = Path.Combine(_dir, "interrupted");
        string checkpoint = Path.Combine(interrupted, "checkpoint.safetensors");
        using (var p = MixQProcess.Start(_dir, [.. common, "--out", interrupted, "--checkpoint-every", "5"]))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(checkpoint) && !p.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(2);
            Thread.Sleep(50);
            Assert.False(p.HasExited, "training finished before it could be interrupted");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.True(File.Exists(checkpoint));
        var resumed = MixQProcess.Run(_dir, [.. common, "--out", interrupted, "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming from", resumed.Stdout + resumed.Stderr);

        var a = SafeTensors.Read(Path.Combine(reference, "checkpoint.safetensors"));
        var b = SafeTensors.Read(checkpoint);
        var names = a.Tensors.Keys.Where(k => !k.StartsWith("optim.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(names);
        foreach (var name in names)
            Assert.Equal(a.Tensors[name].ToArray(), b.Tensors[name].ToArray());
    }
}
