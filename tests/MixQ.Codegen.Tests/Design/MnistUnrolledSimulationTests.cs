using MixQ.Codegen.Design;
using MixQ.Codegen.Simulation;
using MixQ.Codegen.Tests.Support;

namespace MixQ.Codegen.Tests.Design;

/// <summary>
/// The fully unrolled architecture on the same real MNIST models as <see cref="MnistSimulationTests"/> (see
/// <see cref="MnistModels"/>): the constant-weight shift-add design of the whole network in Verilator must reproduce
/// the integer engine's logits on 1,000 test-set images. The mlp is 235k constant weights (about 580k shift-add
/// terms), so this is the heaviest Verilator build of the suite; the testbench's build flags keep it to minutes
/// (docs/codegen.md, "Limits"). A sibling class of the GEMM tests so that xunit may run the two side by side.
/// </summary>
public sealed class MnistUnrolledSimulationTests
{
    [SkippableTheory]
    [InlineData("mlp")]
    [InlineData("lenet5")]
    public void UnrolledDesignMatchesTheIntegerEngineOnMnist(string name)
    {
        Tool.Require("verilator");
        using var work = new TempFolder($"mnist-unrolled-{name}");
        var (model, vectors) = MnistModels.Build(name, work.Path);
        string design = Path.Combine(work.Path, "unrolled");
        var manifest = DesignWriter.Write(model, "unrolled", vectors, design);
        var sim = VerilatorRunner.Run(design);
        Assert.Equal(MnistModels.TestVectors, sim.Samples);
        Assert.Equal(0, sim.Missing);
        Assert.Equal(0, sim.Mismatches);
        // The logits must vary across images, or matching them would prove little.
        Assert.True(vectors.Outputs.Distinct().Count() > 100);
        // The chain overlaps inferences: one per input frame (the mlp's 784 beats, plus the cycle in which the
        // flatten buffer is handed on; lenet5's zero-padded 32 x 32 frame).
        Assert.Equal(name == "mlp" ? manifest.InputBeats + 1 : 32 * 32, sim.Interval);
    }
}
