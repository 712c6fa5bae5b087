namespace MixQ.Cli.Tests;

/// <summary>Bad input ends in exactly one clear error line, a non-zero exit, and nothing written.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-err-" + Guid.NewGuid().ToString("N"));

    public ErrorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void AssertOneErrorLine(MixQProcess.Result r, string expected)
    {
        Assert.NotEqual(0, r.ExitCode);
        // Progress notes may precede it on stderr; the error itself is one line, and the last.
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var errors = lines.Where(l => l.StartsWith("mixq: error: ", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Equal(errors[0], lines[^1]);
        Assert.Contains(expected, errors[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", r.Stdout + r.Stderr); // no stack trace
    }

    [Fact]
    public void UnknownModel()
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, "data"), 20, 10);
        var r = MixQProcess.Run(_dir, "train", "--model", "nosuchnet", "--data", csv, "--out", Path.Combine(_dir, "out"));
        AssertOneErrorLine(r, "unknown model 'nosuchnet'");
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public void MissingDataFile() =>
        AssertOneErrorLine(MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", Path.Combine(_dir, "none.csv")), "none.csv");

    [Fact]
    public void UnparsableOption() =>
        AssertOneErrorLine(MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", "x", "--epochs", "many"), "many");

    [Fact]
    public void ZeroEpochs() =>
        AssertOneErrorLine(MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", "x", "--epochs", "0"), "--epochs");

    [Fact]
    public void TruncatedCheckpoint()
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, "data"), 50, 20);
        string outDir = Path.Combine(_dir, "run");
        Assert.Equal(0, MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", csv, "--epochs", "1", "--out", outDir).ExitCode);
        string checkpoint = Path.Combine(outDir, "checkpoint.safetensors");
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);
        AssertOneErrorLine(MixQProcess.Run(_dir, "eval", "--checkpoint", checkpoint, "--data", csv), "checkpoint.safetensors");
    }

    [Fact]
    public void CheckpointFromAnotherModelShape()
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, "data"), 50, 20);
        string outDir = Path.Combine(_dir, "run");
        Assert.Equal(0, MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", csv, "--epochs", "1", "--out", outDir).ExitCode);
        string other = TinyData.WriteCsv(Path.Combine(_dir, "other"), 50, 20, features: 4);
        var r = MixQProcess.Run(_dir, "eval", "--checkpoint", Path.Combine(outDir, "checkpoint.safetensors"), "--data", other);
        AssertOneErrorLine(r, "was built for inputs [6]");
    }
}
