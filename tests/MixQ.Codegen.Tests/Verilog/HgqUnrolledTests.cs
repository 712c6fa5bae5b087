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

    /// <summary>
    /// HGQ's default per-element activation bits on a conv net: the requantization in front of the second convolution
    /// gives the pixels of a channel different formats (and so does the entrance), so those lanes read their format
    /// from the pixel-indexed table. All three overflow modes and all three rounding modes, with and without
    /// back-pressure, with gaps between the beats (after pooling) and without (conv after conv: a wrong table
    /// read-ahead shows up there); Verilator and the HLS C++ against the integer engine's vectors.
    /// </summary>
    [SkippableTheory]
    [InlineData(RoundingMode.RoundHalfEven, OverflowMode.Wrap, false, false)]
    [InlineData(RoundingMode.RoundHalfUp, OverflowMode.Saturate, true, true)]
    [InlineData(RoundingMode.Truncate, OverflowMode.SymmetricSaturate, true, false)]
    public void AConvNetWithPerPixelActivationFormatsSimulatesExactly(RoundingMode rounding, OverflowMode overflow, bool stall, bool pool)
    {
        Tool.Require("verilator");
        Tool.Require("g++");
        var model = HgqModels.ConvNet(30 + (int)overflow, rounding, overflow, perElement: true, pool: pool);
        int pixels = pool ? 16 : 64;
        // Not vacuous: the stream requantization really has pixels of one channel in different formats, some pruned.
        var stream = model.Layers.OfType<IntShiftRequantize>().First();
        Assert.True(PixelsDiffer(stream.Formats, 3, pixels), "the conv input's pixels share their channel's format");
        Assert.Contains(0, stream.Formats.Widths);
        Assert.True(PixelsDiffer(((FixedPointEntrance)model.Input).Formats, 1, 64), "the entrance's pixels share one format");
        const int count = 300;
        var vectors = TestVectors.FromEngine(new IntegerEngine(model), HgqModels.Inputs(count, 9, 64), count);
        using var folder = new TempFolder("hgq-pixels");
        DesignWriter.Write(model, "unrolled", vectors, folder.Path);
        Assert.Contains($"read shift, rounding constant, bounds and alignment from a {pixels}-entry table indexed by the pixel counter",
            File.ReadAllText(Path.Combine(folder.Path, "mixq_top.v")));
        var result = VerilatorRunner.Run(folder.Path, stall);
        Assert.Equal(count, result.Samples);
        Assert.Equal(0, result.Missing);
        Assert.Equal(0, result.Mismatches);
        var hls = HlsRunner.Run(folder.Path);
        Assert.Equal(count, hls.Samples);
        Assert.Equal(0, hls.Mismatches);
        Assert.True(vectors.Outputs.Distinct().Count() > 20);
    }

    /// <summary>Whether some channel of a [channels, pixels] tensor has pixels in different formats.</summary>
    private static bool PixelsDiffer(ElementFormats f, int channels, int pixels)
    {
        Assert.Equal(channels * pixels, f.Count);
        for (int c = 0; c < channels; c++)
            for (int p = 1; p < pixels; p++)
            {
                int a = c * pixels, b = a + p;
                if (f.Shifts[a] != f.Shifts[b] || f.Widths[a] != f.Widths[b] || f.Signed[a] != f.Signed[b] || f.Aligns[a] != f.Aligns[b]) return true;
            }
        return false;
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
