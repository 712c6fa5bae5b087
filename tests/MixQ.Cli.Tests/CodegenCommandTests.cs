namespace MixQ.Cli.Tests;

/// <summary>`mixq generate` and `mixq synth` reject bad input with one clear error line.</summary>
public sealed class CodegenCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-codegen-cli-" + Guid.NewGuid().ToString("N"));

    public CodegenCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void AssertError(MixQProcess.Result r, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        var last = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("mixq: error: ", last);
        Assert.Contains(expected, last, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", r.Stdout + r.Stderr);
    }

    [Fact]
    public void GenerateRejectsAnUnknownArchitecture() =>
        AssertError(MixQProcess.Run(_dir, "generate", "--checkpoint", "x.safetensors", "--arch", "systolic", "--out", Path.Combine(_dir, "hw")),
            "--arch must be one of unrolled, gemm");

    [Fact]
    public void GenerateRejectsAMissingCheckpoint() =>
        AssertError(MixQProcess.Run(_dir, "generate", "--checkpoint", Path.Combine(_dir, "none.safetensors"), "--out", Path.Combine(_dir, "hw")),
            "does not exist");

    [Fact]
    public void SynthRejectsAFolderThatIsNotADesign() =>
        AssertError(MixQProcess.Run(_dir, "synth", "--design", _dir), "is not a generated design");

    [Fact]
    public void SynthRejectsAnUnknownFamily() =>
        AssertError(MixQProcess.Run(_dir, "synth", "--design", _dir, "--family", "ice40"), "--family must be xc7 or xcup");

    [Fact]
    public void SynthRejectsABrokenManifest()
    {
        File.WriteAllText(Path.Combine(_dir, "design.json"), "{ not json");
        AssertError(MixQProcess.Run(_dir, "synth", "--design", _dir), "not a valid design manifest");
    }
}
