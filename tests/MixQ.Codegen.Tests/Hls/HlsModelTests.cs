using MixQ.Codegen.Design;
using MixQ.Codegen.Hls;
using MixQ.Codegen.Simulation;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Tools;
using MixQ.Codegen.Vectors;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Tests.Hls;

/// <summary>The generated HLS C++ compiled with g++ and run on the integer engine's test vectors.</summary>
public sealed class HlsModelTests
{
    [SkippableTheory]
    [InlineData("conv")]
    [InlineData("mlp")]
    public void HlsOutputsAreIdenticalToTheIntegerEngine(string kind)
    {
        Tool.Require("g++");
        var model = kind == "conv" ? SmallModels.ConvNet(21) : SmallModels.Mlp(22);
        const int count = 500;
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), SmallModels.Inputs(model, count, 23), count);
        using var folder = new TempFolder("hls");
        DesignWriter.Write(model, "unrolled", vectors, folder.Path);
        var result = HlsRunner.Run(folder.Path);
        Assert.Equal(count, result.Samples);
        Assert.Equal(0, result.Mismatches);
    }

    [SkippableFact]
    public void AWrongExpectationIsReportedAsAMismatch()
    {
        // The comparison must be able to fail: corrupt one expected logit and the testbench must count it.
        Tool.Require("g++");
        var model = SmallModels.Mlp(31);
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), SmallModels.Inputs(model, 20, 32), 20);
        vectors.Outputs[7 * vectors.OutputSize + 1] += 1;
        using var folder = new TempFolder("hls-bad");
        DesignWriter.Write(model, "unrolled", vectors, folder.Path);
        var result = HlsRunner.Run(folder.Path);
        Assert.Equal(1, result.Mismatches);
    }
}
