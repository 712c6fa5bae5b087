namespace MixQ.Cli.Tests;

/// <summary>
/// One small quantized checkpoint shared by the hardware command tests: an MLP on the tiny CSV data, trained for two
/// epochs and quantized with RMSMP for one (a few seconds; the tests only need its shapes and codes).
/// </summary>
public sealed class QuantizedCheckpointFixture : IDisposable
{
    public QuantizedCheckpointFixture()
    {
        Directory.CreateDirectory(Folder);
        string csv = TinyData.WriteCsv(Path.Combine(Folder, "data"), trainRows: 400, testRows: 100);
        string floatDir = Path.Combine(Folder, "float");
        var train = MixQProcess.Run(Folder, "train", "--model", "mlp", "--data", csv, "--epochs", "2", "--batch-size", "32", "--out", floatDir);
        if (train.ExitCode != 0) throw new InvalidOperationException("train failed: " + train.Stderr);
        string qDir = Path.Combine(Folder, "q");
        var q = MixQProcess.Run(Folder, "quantize", "--checkpoint", Path.Combine(floatDir, "checkpoint.safetensors"), "--data", csv,
            "--method", "rmsmp", "--epochs", "1", "--batch-size", "32", "--first-last", "mix", "--out", qDir);
        if (q.ExitCode != 0) throw new InvalidOperationException("quantize failed: " + q.Stderr);
        Checkpoint = Path.Combine(qDir, "quantized.safetensors");
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "mixq-hw-" + Guid.NewGuid().ToString("N"));

    public string Checkpoint { get; }

    public void Dispose()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}
