using MixQ.NN.Data;
using MixQ.NN.Modules;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Hgq.Integer;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Tests.Hgq;

/// <summary>
/// Requirement 4: after calibration on training data, the integer evaluation gives outputs identical to the
/// fake-quantized float forward — checked on conv and dense models, every rounding and overflow mode, random
/// per-element bit widths, and test inputs beyond the calibrated ranges (so overflow handling is exercised).
/// </summary>
public sealed class HgqIntegerModelTests
{
    public static TheoryData<RoundingMode, OverflowMode> Modes()
    {
        var data = new TheoryData<RoundingMode, OverflowMode>();
        foreach (var r in Enum.GetValues<RoundingMode>())
            foreach (var o in Enum.GetValues<OverflowMode>()) data.Add(r, o);
        return data;
    }

    private static (Module Model, Tensor Test) Prepared(bool conv, RoundingMode r, OverflowMode o, int seed)
    {
        var rng = new Random(seed);
        var model = conv ? HgqTestModels.ConvNet(rng) : HgqTestModels.Mlp(rng);
        int[] sample = conv ? [1, 8, 8] : [10];
        var train = Tensor.RandN(rng, 1f, [64, .. sample]);
        HgqModel.Attach(model, HgqTestModels.Weights(r), HgqTestModels.Activations(r, o), train);
        HgqTestModels.RandomiseBits(model, rng, -2, 9);
        HgqModel.SnapBiases(model);
        HgqModel.Calibrate(model, [train]);
        HgqModel.SnapBiases(model);
        var test = Tensor.RandN(rng, 1.6f, [200, .. sample]); // wider than training: some values overflow the ranges
        return (model, test);
    }

    private static (long Mismatches, HgqIntegerCounters Counters) Compare(Module model, Tensor test, int[] sampleShape)
    {
        model.Eval();
        float[] floats;
        using (GradMode.NoGrad()) floats = model.Forward(test).ToArray();
        var counters = new HgqIntegerCounters();
        var outputs = HgqIntegerModel.FromModel(model, sampleShape).Run(test, counters);
        int classes = floats.Length / outputs.Length;
        long mismatches = 0;
        for (int n = 0; n < outputs.Length; n++)
            for (int c = 0; c < classes; c++)
                if ((double)floats[n * classes + c] != outputs[n].ValueAt(c)) mismatches++;
        return (mismatches, counters);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void ConvNetIntegerOutputsAreBitIdenticalToTheFloatForward(RoundingMode r, OverflowMode o)
    {
        var (model, test) = Prepared(conv: true, r, o, seed: 21 + (int)r * 3 + (int)o);
        var (mismatches, counters) = Compare(model, test, [1, 8, 8]);
        Assert.Equal(0, mismatches);
        Assert.Equal(0, counters.Float32Risks);
        Assert.True(counters.Multiplications > 0);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void MlpIntegerOutputsAreBitIdenticalToTheFloatForward(RoundingMode r, OverflowMode o)
    {
        var (model, test) = Prepared(conv: false, r, o, seed: 41 + (int)r * 3 + (int)o);
        var (mismatches, _) = Compare(model, test, [10]);
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void TheCheckCountsAMismatchWhenTheFloatModelChangesBehindTheIntegerOne()
    {
        // The comparison must be able to fail: nudge one bias off its grid after building the integer model.
        var (model, test) = Prepared(conv: false, RoundingMode.RoundHalfUp, OverflowMode.Saturate, seed: 7);
        var integer = HgqIntegerModel.FromModel(model, [10]);
        var last = HgqModel.Layers(model)[^1].Layer.Bias!;
        last.Span[0] += 1e-3f;
        model.Eval();
        float[] floats;
        using (GradMode.NoGrad()) floats = model.Forward(test).ToArray();
        var outputs = integer.Run(test, new HgqIntegerCounters());
        Assert.Contains(Enumerable.Range(0, outputs.Length), n => floats[n * 4] != outputs[n].ValueAt(0));
        // ...and the integer model refuses a bias that is off its grid.
        Assert.Throws<MixQException>(() => HgqIntegerModel.FromModel(model, [10]));
    }

    [Fact]
    public void BitExactnessCheckOverADatasetReportsZeroMismatchesAndEqualAccuracies()
    {
        var (model, test) = Prepared(conv: true, RoundingMode.RoundHalfEven, OverflowMode.Wrap, seed: 9);
        var rng = new Random(1);
        var labels = Enumerable.Range(0, 200).Select(_ => rng.Next(5)).ToArray();
        var data = new Dataset("rand", test.ToArray(), labels, [1, 8, 8], 5, DatasetKind.Table);
        var report = HgqBitExactness.Check(model, data, batchSize: 64);
        Assert.Equal(200, report.Samples);
        Assert.Equal(0, report.MismatchedOutputs);
        Assert.Equal(0, report.PredictionsDiffering);
        Assert.Equal(report.FloatAccuracy, report.IntegerAccuracy);
    }

    [Fact]
    public void FloatInputsBecomeExactIntegers()
    {
        float[] values = [0f, 1f, -0.4242f, 3.0e-39f, 123456.7f, -1e-7f];
        var t = FixedTensor.FromFloats(values, [values.Length]);
        for (int i = 0; i < values.Length; i++) Assert.Equal((double)values[i], t.ValueAt(i));
    }
}
