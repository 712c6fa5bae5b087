using MixQ.Codegen.Design;
using MixQ.Codegen.Simulation;
using MixQ.Codegen.Tests.Support;

namespace MixQ.Codegen.Tests.Design;

/// <summary>
/// Real MNIST models (see <see cref="MnistModels"/>) on 1,000 test-set images: the GEMM engine in Verilator and the
/// HLS C++ with g++ must reproduce the integer engine's logits exactly. The fully unrolled architecture of the same
/// models is simulated by <see cref="MnistUnrolledSimulationTests"/>.
/// </summary>
public sealed class MnistSimulationTests
{
    [SkippableTheory]
    [InlineData("mlp")]
    [InlineData("lenet5")]
    public void GemmEngineAndHlsMatchTheIntegerEngineOnMnist(string name)
    {
        Tool.Require("verilator");
        Tool.Require("g++");
        using var work = new TempFolder($"mnist-{name}");
        var (model, vectors) = MnistModels.Build(name, work.Path);
        string design = Path.Combine(work.Path, "gemm");
        DesignWriter.Write(model, "gemm", vectors, design);
        var sim = VerilatorRunner.Run(design);
        Assert.Equal(MnistModels.TestVectors, sim.Samples);
        Assert.Equal(0, sim.Missing);
        Assert.Equal(0, sim.Mismatches);
        var hls = HlsRunner.Run(design);
        Assert.Equal(MnistModels.TestVectors, hls.Samples);
        Assert.Equal(0, hls.Mismatches);
    }
}
