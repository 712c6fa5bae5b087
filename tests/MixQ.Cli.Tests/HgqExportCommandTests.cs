using System.Text.Json;

namespace MixQ.Cli.Tests;

/// <summary>An HGQ checkpoint through `mixq export` and `mixq eval --integer`: every output identical to the fake-quantized model.</summary>
public sealed class HgqExportCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-hgqx-" + Guid.NewGuid().ToString("N"));

    public HgqExportCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void AnExportedHgqModelGivesIdenticalOutputsInTheIntegerEngine()
    {
        string csv = TinyData.WriteCsv(Path.Combine(_dir, "data"), trainRows: 600, testRows: 300);
        string floatDir = Path.Combine(_dir, "float");
        var train = MixQProcess.Run(_dir, "train", "--model", "mlp", "--data", csv, "--epochs", "3", "--batch-size", "32", "--lr", "0.05", "--out", floatDir);
        Assert.True(train.ExitCode == 0, train.Stderr);
        string hgqDir = Path.Combine(_dir, "hgq");
        var q = MixQProcess.Run(_dir, "quantize", "--method", "hgq", "--checkpoint", Path.Combine(floatDir, "checkpoint.safetensors"), "--data", csv,
            "--epochs", "2", "--batch-size", "32", "--rounding", "half-even", "--overflow", "wrap", "--out", hgqDir, "--json");
        Assert.True(q.ExitCode == 0, q.Stderr);
        string checkpoint = Path.Combine(hgqDir, "hgq-final.safetensors");

        string intDir = Path.Combine(_dir, "int");
        var export = MixQProcess.Run(_dir, "export", "--checkpoint", checkpoint, "--out", intDir, "--json");
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Contains("shift_requantize", export.Stdout);
        using (var json = JsonDocument.Parse(export.LastStdoutLine))
            Assert.Equal("hgq", json.RootElement.GetProperty("method").GetString());
        using (var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(intDir, "model.json"))))
            Assert.Equal(2, meta.RootElement.GetProperty("version").GetInt32());

        var eval = MixQProcess.Run(_dir, "eval", "--integer", intDir, "--data", csv, "--compare", checkpoint, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Contains("identical outputs: 300/300 samples", eval.Stdout);
        Assert.Contains("; 0 of 900 outputs differ", eval.Stdout);
        using var result = JsonDocument.Parse(eval.LastStdoutLine);
        var root = result.RootElement;
        Assert.Equal(300, root.GetProperty("samples").GetInt32());
        Assert.Equal(300, root.GetProperty("identical_output_samples").GetInt32());
        Assert.Equal(0, root.GetProperty("differing_outputs").GetInt64());
        Assert.Equal(900, root.GetProperty("compared_outputs").GetInt64()); // 300 samples x 3 classes
        Assert.Equal(0, root.GetProperty("differing_codes").GetInt64());
        Assert.Equal(1.0, root.GetProperty("prediction_agreement").GetDouble());
        Assert.Equal(root.GetProperty("fake_quant_accuracy").GetDouble(), root.GetProperty("test_accuracy").GetDouble());

        // The checkpoint's own float evaluation gives the same accuracy as the integer engine.
        var fake = MixQProcess.Run(_dir, "eval", "--checkpoint", checkpoint, "--data", csv, "--json");
        Assert.True(fake.ExitCode == 0, fake.Stderr);
        using var fakeJson = JsonDocument.Parse(fake.LastStdoutLine);
        Assert.Equal(root.GetProperty("test_accuracy").GetDouble(), fakeJson.RootElement.GetProperty("test_accuracy").GetDouble());

        // Code generation: the GEMM engine refuses HGQ models in one line and writes nothing; the unrolled
        // architecture takes them (its simulation is tested in MixQ.Codegen.Tests, HgqUnrolledTests).
        string design = Path.Combine(_dir, "design");
        var gemm = MixQProcess.Run(_dir, "generate", "--checkpoint", checkpoint, "--arch", "gemm", "--data", csv, "--out", design);
        Assert.Equal(2, gemm.ExitCode);
        Assert.StartsWith("mixq: error: the gemm architecture does not support HGQ integer models yet", gemm.Stderr.Trim());
        Assert.False(Directory.Exists(design));
        var unrolled = MixQProcess.Run(_dir, "generate", "--checkpoint", checkpoint, "--arch", "unrolled", "--data", csv, "--vectors", "50", "--out", design, "--json");
        Assert.True(unrolled.ExitCode == 0, unrolled.Stderr);
        using (var json = JsonDocument.Parse(unrolled.LastStdoutLine))
            Assert.Equal("hgq", json.RootElement.GetProperty("method").GetString());
        Assert.Contains("shift requantize", File.ReadAllText(Path.Combine(design, "mixq_top.v")));
        Assert.Equal(50, File.ReadAllLines(Path.Combine(design, "vectors", "outputs.txt")).Length);
        // The HGQ design is priced like a row-wise one: one prediction row per generated module, for both families.
        Assert.DoesNotContain("no cost-model prediction", unrolled.Stderr);
        using var prediction = JsonDocument.Parse(File.ReadAllText(Path.Combine(design, "prediction.json")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(design, "design.json")));
        var modules = manifest.RootElement.GetProperty("modules").EnumerateArray().Select(m => m.GetProperty("module").GetString()).ToArray();
        foreach (string family in new[] { "xc7", "xcup" })
        {
            var f = prediction.RootElement.GetProperty("families").GetProperty(family);
            Assert.Equal("generated-design", f.GetProperty("basis").GetString());
            Assert.Equal(modules, f.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("layer").GetString()).ToArray());
            Assert.True(f.GetProperty("total").GetProperty("luts").GetDouble() > 0);
        }
    }
}
