using MixQ.Codegen.Design;
using MixQ.Codegen.Simulation;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Vectors;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Tests.Verilog;

/// <summary>Generated unrolled designs of small real integer models, simulated with Verilator against the integer engine.</summary>
public sealed class UnrolledSimulationTests
{
    [SkippableTheory]
    [InlineData("conv", false)]
    [InlineData("conv", true)]
    [InlineData("mlp", true)]
    public void VerilatorOutputsMatchTheIntegerEngine(string kind, bool stall)
    {
        Tool.Require("verilator");
        var model = kind == "conv" ? SmallModels.ConvNet(21) : SmallModels.Mlp(4);
        var engine = new IntegerEngine(model);
        const int count = 300;
        var vectors = TestVectors.FromEngine(engine, SmallModels.Inputs(model, count, 5), count);
        using var folder = new TempFolder("unrolled");
        DesignWriter.Write(model, "unrolled", vectors, folder.Path);
        var result = VerilatorRunner.Run(folder.Path, stall);
        Assert.Equal(count, result.Samples);
        Assert.Equal(0, result.Missing);
        Assert.Equal(0, result.Mismatches);
        // Not every output may be the same: the logits must vary, or the comparison would prove little.
        Assert.True(vectors.Outputs.Distinct().Count() > 20);
    }
}
