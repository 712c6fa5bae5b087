using MixQ.NN.Data;
using MixQ.NN.Modules;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Hgq.Integer;
using MixQ.Quantization.Integer;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>
/// Issue 5 req. 1 for HGQ: a trained HGQ model converted to the integer IR and run by <see cref="IntegerEngine"/> gives
/// outputs identical to its fake-quantized float forward and to the independent HGQ evaluator
/// (<see cref="HgqIntegerModel"/>) — on Dense and Conv2d models with ReLU and max pooling, per-element, per-channel
/// and per-layer bit widths, every rounding and overflow mode, and test inputs beyond the calibrated ranges.
/// </summary>
public sealed class HgqIntegerConverterTests
{
    public static TheoryData<bool, RoundingMode, OverflowMode> Modes()
    {
        var data = new TheoryData<bool, RoundingMode, OverflowMode>();
        foreach (bool conv in new[] { false, true })
            foreach (var r in Enum.GetValues<RoundingMode>())
                foreach (var o in Enum.GetValues<OverflowMode>()) data.Add(conv, r, o);
        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void PerElementModelsGiveIdenticalOutputsThroughTheEngine(bool conv, RoundingMode rounding, OverflowMode overflow)
    {
        var trained = HgqTrainedModels.Train(conv, HgqGranularity.Element, rounding, overflow, seed: 100 + (conv ? 50 : 0) + 3 * (int)rounding + (int)overflow);
        var integer = CheckIdentical(trained);
        // Not vacuous: training left the elements with different formats.
        var widths = integer.Layers.OfType<IntShiftRequantize>().SelectMany(q => q.Formats.Widths).Concat(((FixedPointEntrance)integer.Input).Formats.Widths);
        Assert.True(widths.Distinct().Count() > 1, "per-element formats should differ");
    }

    [Theory]
    [InlineData(false, HgqGranularity.Row)]
    [InlineData(true, HgqGranularity.Row)]
    [InlineData(false, HgqGranularity.Layer)]
    [InlineData(true, HgqGranularity.Layer)]
    public void PerChannelAndPerLayerModelsGiveIdenticalOutputs(bool conv, HgqGranularity granularity) =>
        CheckIdentical(HgqTrainedModels.Train(conv, granularity, RoundingMode.RoundHalfEven, OverflowMode.SymmetricSaturate, seed: 400 + 7 * (int)granularity + (conv ? 20 : 0)));

    private static IntegerModel CheckIdentical(HgqTrainedModels.Trained trained)
    {
        var (model, spec, test) = trained;
        var integer = HgqIntegerConverter.Convert(model, spec);
        var floats = FloatForward(model, test);
        var reference = HgqIntegerModel.FromModel(model, spec.InputShape).Run(Tensor.FromArray(test.Features, [test.Count, .. test.SampleShape]), new HgqIntegerCounters());
        int k = spec.NumClasses;
        foreach (bool simd in new[] { true, false })
        {
            var logits = new IntegerEngine(integer, simd).Logits(test.Features, test.Count);
            for (int n = 0; n < test.Count; n++)
                for (int c = 0; c < k; c++)
                {
                    double value = logits[n * k + c] * integer.OutputScale;
                    Assert.Equal(reference[n].ValueAt(c), value);
                    Assert.Equal((double)floats[n * k + c], value);
                }
        }
        Assert.True(floats.Distinct().Count() > test.Count, $"outputs should vary ({floats.Distinct().Count()} distinct values)");

        var report = HgqIntegerAgreement.Compare(model, integer, test);
        Assert.Equal(0, report.Outputs!.Different);
        Assert.Equal(test.Count, report.Outputs.IdenticalSamples);
        Assert.Equal(test.Count, report.IdenticalPredictions);
        Assert.All(report.Layers, l => Assert.Equal(0, l.Different));
        Assert.Equal(report.FakeQuantAccuracy, report.IntegerAccuracy);
        Assert.True(report.IntegerAccuracy > 1.0 / k + 0.05, $"the model should have learned something (accuracy {report.IntegerAccuracy})");
        return integer;
    }

    [Fact]
    public void TheComparisonFailsWhenTheRoundingOrTheOverflowModeOfTheIrIsChanged()
    {
        // The same trained model; the IR's first requantization gets another rounding, then another overflow mode.
        // Both must show up as differing outputs: the check can fail, and the test data reach ties and overflows.
        var (model, spec, test) = HgqTrainedModels.Train(conv: false, HgqGranularity.Element, RoundingMode.RoundHalfUp, OverflowMode.Saturate, seed: 5);
        var integer = HgqIntegerConverter.Convert(model, spec);
        var floats = FloatForward(model, test);
        Assert.Equal(0, Differing(integer, floats, test));
        foreach (var changed in new Func<ElementFormats, ElementFormats>[] { f => f with { Rounding = RoundingMode.Truncate }, f => f with { Overflow = OverflowMode.Wrap } })
        {
            var layers = integer.Layers.Select(l => l is IntShiftRequantize q ? q with { Formats = changed(q.Formats) } : l).ToList();
            var entrance = new FixedPointEntrance(changed(((FixedPointEntrance)integer.Input).Formats));
            Assert.True(Differing(integer with { Layers = layers, Input = entrance }, floats, test) > 0);
        }
    }

    [Fact]
    public void TheIrKeepsHgqFormatsNarrowAndAccumulatorsSized()
    {
        var (model, spec, _) = HgqTrainedModels.Train(conv: true, HgqGranularity.Element, RoundingMode.RoundHalfUp, OverflowMode.Saturate, seed: 11);
        var integer = HgqIntegerConverter.Convert(model, spec);
        Assert.Equal(new[] { "conv2d", "clamp", "maxpool2d", "shift_requantize", "conv2d", "clamp", "flatten", "shift_requantize", "dense", "requantize" },
            integer.Layers.Select(l => l.Op));
        Assert.Equal("hgq", integer.Method);
        var hgqLayers = HgqModel.Layers(model);
        var matrices = integer.Layers.Where(l => l is IntDense or IntConv2d).ToList();
        for (int i = 0; i < hgqLayers.Count; i++)
        {
            // Every HGQ weight code reappears as its multiplicand shifted left by F_r - f (never right).
            var hgq = hgqLayers[i];
            var codes = hgq.Weight.WeightCodes(hgq.Layer.Weight);
            var formats = hgq.Weight.Formats(hgq.Layer.Weight);
            var w = matrices[i] is IntDense d ? d.Weights : ((IntConv2d)matrices[i]).Weights;
            Assert.Equal(WeightEncoding.Multiplicands, w.Encoding);
            for (int e = 0; e < codes.Length; e++)
            {
                int r = e / w.RowLength, shift = w.RowFractionalBits[r] - formats[e / hgq.Weight.GroupSpan].FractionalBits;
                if (codes[e] == 0) Assert.Equal(0, w.Value(r, e % w.RowLength));
                else
                {
                    Assert.InRange(shift, 0, 40);
                    Assert.Equal(codes[e] << shift, w.Value(r, e % w.RowLength));
                }
            }
        }
        // The analysis sizes every accumulator; the integer model states them and they cover the worst case.
        var ranges = integer.Analyze();
        Assert.All(matrices, m => Assert.InRange(m is IntDense d ? d.AccumulatorBits : ((IntConv2d)m).AccumulatorBits, 2, 40));
        Assert.Equal(integer.Layers.Count + 1, ranges.Count);
    }

    [Fact]
    public void AModelWithAnOffGridBiasIsRefusedInOneLine()
    {
        var (model, spec, _) = HgqTrainedModels.Train(conv: false, HgqGranularity.Element, RoundingMode.RoundHalfUp, OverflowMode.Saturate, seed: 8, epochs: 1);
        var bias = HgqModel.Layers(model)[^1].Layer.Bias!;
        bias.Span[0] += 1e-4f;
        var e = Assert.Throws<MixQException>(() => HgqIntegerConverter.Convert(model, spec));
        Assert.Contains("is not on its accumulator grid", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static float[] FloatForward(Module model, Dataset test)
    {
        model.Eval();
        using var _ = GradMode.NoGrad();
        return model.Forward(Tensor.FromArray(test.Features, [test.Count, .. test.SampleShape])).ToArray();
    }

    private static long Differing(IntegerModel integer, float[] floats, Dataset test)
    {
        var logits = new IntegerEngine(integer).Logits(test.Features, test.Count);
        return logits.Where((v, i) => v * integer.OutputScale != floats[i]).LongCount();
    }
}
