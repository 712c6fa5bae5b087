using MixQ.Codegen.Design;
using MixQ.Codegen.Simulation;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Vectors;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Tests.Verilog;

/// <summary>HGQ integer models as unrolled designs: Verilator and the HLS C++ against the integer engine's vectors.</summary>
public sealed class HgqUnrolledTests
{
    [SkippableTheory]
    [InlineData(RoundingMode.RoundHalfEven, OverflowMode.Wrap)]
    [InlineData(RoundingMode.Truncate, OverflowMode.SymmetricSaturate)]
    public void VerilatorOutputsMatchTheIntegerEngine(RoundingMode rounding, OverflowMode overflow)
    {
        Tool.Require("verilator");
        var model = HgqModels.Mlp(3 + (int)rounding, rounding, overflow);
        Assert.Contains(model.Layers, l => l is IntShiftRequantize);
        const int count = 300;
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), HgqModels.Inputs(count, 5), count);
        using var folder = new TempFolder("hgq-unrolled");
        DesignWriter.Write(model, "unrolled", vectors, folder.Path);
        var result = VerilatorRunner.Run(folder.Path, stall: true);
        Assert.Equal(count, result.Samples);
        Assert.Equal(0, result.Missing);
        Assert.Equal(0, result.Mismatches);
        Assert.True(vectors.Outputs.Distinct().Count() > 20);
    }

    [SkippableFact]
    public void AConvNetWithPerChannelActivationsSimulatesExactly()
    {
        Tool.Require("verilator");
        var model = HgqModels.ConvNet(8, RoundingMode.RoundHalfUp, OverflowMode.Saturate);
        Assert.Equal(2, model.Layers.Count(l => l is IntShiftRequantize));
        const int count = 200;
        var inputs = HgqModels.Inputs(count, 9, 64);
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), inputs, count);
        using var folder = new TempFolder("hgq-conv");
        DesignWriter.Write(model, "unrolled", vectors, folder.Path);
        var result = VerilatorRunner.Run(folder.Path, stall: false);
        Assert.Equal(count, result.Samples);
        Assert.Equal(0, result.Mismatches);
        Assert.Equal(0, HlsRunner.Run(folder.Path).Mismatches);
        Assert.True(vectors.Outputs.Distinct().Count() > 20);
    }

    [Fact]
    public void PerPixelFormatsBeforeAConvolutionAreRefusedInOneLine()
    {
        // Per-element activation bits on a convolution input: not generated (each pixel would need its own constants).
        var rng = new Random(2);
        var model = new MixQ.NN.Layers.Sequential(new MixQ.NN.Layers.Conv2d(1, 2, 3, rng, padding: 1), new MixQ.NN.Layers.ReLU(),
            new MixQ.NN.Layers.Conv2d(2, 2, 3, rng, padding: 1), new MixQ.NN.Layers.Flatten(), new MixQ.NN.Layers.Linear(32, 3, rng));
        var x = MixQ.Tensors.Tensor.RandN(rng, 1f, [32, 1, 4, 4]);
        HgqModel.Attach(model, new HgqQuantizerConfig { Overflow = OverflowMode.Wrap }, new HgqQuantizerConfig(), x);
        foreach (var l in HgqModel.Layers(model)) { var s = l.Input.FractionalBits.Span; for (int i = 0; i < s.Length; i++) s[i] = i % 5; }
        HgqModel.SnapBiases(model);
        HgqModel.Calibrate(model, [x]);
        HgqModel.SnapBiases(model);
        var integer = HgqIntegerConverter.Convert(model, new MixQ.NN.Models.ModelSpec("perpixel", [1, 4, 4], 3));
        var vectors = TestVectors.FromEngine(new IntegerEngine(integer), HgqModels.Inputs(2, 1, 16), 2);
        using var folder = new TempFolder("hgq-perpixel");
        var e = Assert.Throws<MixQException>(() => DesignWriter.Write(integer, "unrolled", vectors, folder.Path));
        Assert.Contains("different formats (per-element HGQ activations before a convolution)", e.Message);
    }

    [SkippableTheory]
    [InlineData(RoundingMode.RoundHalfUp, OverflowMode.Saturate)]
    [InlineData(RoundingMode.RoundHalfEven, OverflowMode.Wrap)]
    [InlineData(RoundingMode.Truncate, OverflowMode.SymmetricSaturate)]
    public void HlsOutputsAreIdenticalToTheIntegerEngine(RoundingMode rounding, OverflowMode overflow)
    {
        Tool.Require("g++");
        var model = HgqModels.Mlp(11 + (int)rounding, rounding, overflow);
        const int count = 500;
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), HgqModels.Inputs(count, 7), count);
        using var folder = new TempFolder("hgq-hls");
        DesignWriter.Write(model, "unrolled", vectors, folder.Path);
        var result = HlsRunner.Run(folder.Path);
        Assert.Equal(count, result.Samples);
        Assert.Equal(0, result.Mismatches);
        Assert.True(vectors.Outputs.Distinct().Count() > 20);
    }

    [Fact]
    public void TheGemmArchitectureRefusesHgqModelsInOneLine()
    {
        var model = HgqModels.Mlp(1, RoundingMode.RoundHalfUp, OverflowMode.Saturate);
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), HgqModels.Inputs(4, 1), 4);
        using var folder = new TempFolder("hgq-gemm");
        var e = Assert.Throws<MixQException>(() => DesignWriter.Write(model, "gemm", vectors, Path.Combine(folder.Path, "out")));
        Assert.StartsWith("the gemm architecture does not support HGQ integer models yet", e.Message);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "out")));
    }
}
