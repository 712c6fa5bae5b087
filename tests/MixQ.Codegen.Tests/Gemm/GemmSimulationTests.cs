using MixQ.Codegen.Design;
using MixQ.Codegen.Gemm;
using MixQ.Codegen.Simulation;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Vectors;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Tests.Gemm;

/// <summary>The mixed-scheme GEMM engine of small real integer models, simulated with Verilator against the integer engine.</summary>
public sealed class GemmSimulationTests
{
    [SkippableTheory]
    [InlineData("conv", 2, 3, false)]
    [InlineData("conv", 1, 1, true)]
    [InlineData("mlp", 3, 2, true)]
    public void VerilatorOutputsMatchTheIntegerEngine(string kind, int lutLanes, int dspLanes, bool stall)
    {
        Tool.Require("verilator");
        var model = kind == "conv" ? SmallModels.ConvNet(21) : SmallModels.Mlp(4);
        const int count = 200;
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), SmallModels.Inputs(model, count, 5), count);
        using var folder = new TempFolder("gemm");
        DesignWriter.Write(model, "gemm", vectors, folder.Path, new GemmOptions(lutLanes, dspLanes));
        var result = VerilatorRunner.Run(folder.Path, stall);
        Assert.Equal(count, result.Samples);
        Assert.Equal(0, result.Missing);
        Assert.Equal(0, result.Mismatches);
        Assert.True(vectors.Outputs.Distinct().Count() > 20, "the logits barely vary: the comparison would prove little");
    }

    [Fact]
    public void CoresAreSizedByTheShareOfShiftAddWork()
    {
        Assert.Equal(new GemmOptions(10, 6), GemmOptions.FromShare(0.6, 16));
        Assert.Equal(new GemmOptions(1, 15), GemmOptions.FromShare(0.01, 16));
        Assert.Equal(new GemmOptions(0, 16), GemmOptions.FromShare(0, 16));
        Assert.Equal(new GemmOptions(15, 1), GemmOptions.FromShare(0.99, 16));
    }
}
