using System.Runtime.CompilerServices;
using MixQ.Codegen.Design;
using MixQ.Codegen.Gemm;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Vectors;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Tests.Design;

/// <summary>
/// Generated design folders of two small models in both architectures, and of a small HGQ conv net with per-pixel
/// activation formats (unrolled), byte for byte against files in
/// tests/MixQ.Codegen.Tests/Golden. Regenerate only deliberately: scripts/regenerate-golden.sh (sets
/// MIXQ_REGENERATE_GOLDEN=1), then review the diff.
/// </summary>
public sealed class GoldenDesignTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "conv", "unrolled" }, { "conv", "gemm" }, { "mlp", "unrolled" }, { "mlp", "gemm" }, { "hgqconv", "unrolled" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratedFilesMatchTheGoldenFiles(string kind, string architecture)
    {
        using var folder = new TempFolder("golden");
        Generate(kind, architecture, folder.Path);
        string golden = Path.Combine(GoldenRoot(), $"{kind}-{architecture}");
        var produced = FolderFiles.List(folder.Path);
        if (Environment.GetEnvironmentVariable("MIXQ_REGENERATE_GOLDEN") == "1")
        {
            if (Directory.Exists(golden)) Directory.Delete(golden, recursive: true);
            foreach (string rel in produced)
            {
                string target = Path.Combine(golden, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(folder.Path, rel), target);
            }
            return;
        }
        Assert.True(Directory.Exists(golden), $"no golden files in {golden} (run scripts/regenerate-golden.sh)");
        Assert.Equal(FolderFiles.List(golden), produced);
        foreach (string rel in produced)
            Assert.True(File.ReadAllBytes(Path.Combine(golden, rel)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder.Path, rel))),
                $"{rel} differs from the golden file in {golden}");
    }

    [Fact]
    public void GenerationIsDeterministic()
    {
        using var a = new TempFolder("det-a");
        using var b = new TempFolder("det-b");
        Generate("conv", "gemm", a.Path);
        Generate("conv", "gemm", b.Path);
        Generate("conv", "unrolled", a.Path + "/u");
        Generate("conv", "unrolled", b.Path + "/u");
        Generate("hgqconv", "unrolled", a.Path + "/h");
        Generate("hgqconv", "unrolled", b.Path + "/h");
        var files = FolderFiles.List(a.Path);
        Assert.Equal(files, FolderFiles.List(b.Path));
        foreach (string rel in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, rel)), File.ReadAllBytes(Path.Combine(b.Path, rel)));
    }

    private static void Generate(string kind, string architecture, string outDir)
    {
        if (kind == "hgqconv")
        {
            // HGQ with per-element activation formats: the stream requantization has a per-pixel table.
            var hgq = HgqModels.ConvNet(34, Quantization.Hgq.RoundingMode.RoundHalfEven, Quantization.Hgq.OverflowMode.Wrap, perElement: true);
            DesignWriter.Write(hgq, architecture, TestVectors.FromEngine(new IntegerEngine(hgq), HgqModels.Inputs(4, 5, 64), 4), outDir);
            return;
        }
        var model = kind == "conv" ? SmallModels.ConvNet(21) : SmallModels.Mlp(4);
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), SmallModels.Inputs(model, 4, 5), 4);
        DesignWriter.Write(model, architecture, vectors, outDir, architecture == "gemm" ? new GemmOptions(2, 2) : null);
    }

    private static string GoldenRoot([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(source))!, "Golden");
}
