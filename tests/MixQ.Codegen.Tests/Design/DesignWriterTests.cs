using MixQ.Codegen.Design;
using MixQ.Codegen.Gemm;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Vectors;
using MixQ.NN.IO;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Tests.Design;

/// <summary>
/// `mixq generate` builds a design once and both writes and prices that object: the result must be what writing and
/// pricing from the integer model separately give (each builds its own design).
/// </summary>
public sealed class DesignWriterTests
{
    [Theory]
    [InlineData("mlp", "unrolled")]
    [InlineData("mlp", "gemm")]
    [InlineData("conv", "unrolled")]
    [InlineData("conv", "gemm")]
    public void ABuiltDesignIsWrittenAndPricedAsTheModelIs(string kind, string architecture)
    {
        var model = kind == "conv" ? SmallModels.ConvNet(21) : SmallModels.Mlp(4);
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), SmallModels.Inputs(model, 4, 5), 4);
        using var folder = new TempFolder("writer");
        string fromModel = Path.Combine(folder.Path, "model"), fromDesign = Path.Combine(folder.Path, "design");

        DesignWriter.Write(model, architecture, vectors, fromModel);
        var design = DesignWriter.Build(model, architecture);
        DesignWriter.Write(design, vectors, fromDesign);

        Assert.Equal(architecture, design.Architecture);
        Assert.Same(model, design.Model);
        var files = FolderFiles.List(fromModel);
        Assert.NotEmpty(files);
        Assert.Equal(files, FolderFiles.List(fromDesign));
        foreach (string rel in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(fromModel, rel)), File.ReadAllBytes(Path.Combine(fromDesign, rel)));
        Assert.Equal(CostPrediction.Compute(model, architecture).ToJson(), CostPrediction.Compute(design).ToJson());
    }

    [Fact]
    public void VectorsOfTheWrongSizeAreRefusedBeforeAnythingIsWritten()
    {
        var model = SmallModels.Mlp(4);
        var other = SmallModels.ConvNet(21);
        var vectors = TestVectors.FromEngine(new IntegerEngine(other), SmallModels.Inputs(other, 4, 5), 4);
        using var folder = new TempFolder("writer");
        string outDir = Path.Combine(folder.Path, "out");
        foreach (var architecture in DesignWriter.Architectures)
        {
            var e = Assert.Throws<MixQException>(() => DesignWriter.Write(DesignWriter.Build(model, architecture), vectors, outDir));
            Assert.Contains("do not fit", e.Message);
            Assert.False(Directory.Exists(outDir));
        }
    }

    [Fact]
    public void AnUnknownArchitectureIsRefusedInOneLine()
    {
        var e = Assert.Throws<MixQException>(() => DesignWriter.Build(SmallModels.Mlp(4), "systolic"));
        Assert.Equal("unknown architecture 'systolic' (expected one of: unrolled, gemm)", e.Message);
    }
}
