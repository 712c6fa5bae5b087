using MixQ.NN.Layers;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Qat;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Tests.Qat;

public sealed class QuantizeJobTests(QatFixture fixture) : IClassFixture<QatFixture>
{
    private QuantizeResult Quantize(string method, string outName, int epochs = 2, string? ratio = null, int reassignEvery = 0) =>
        new QuantizeJob(new QuantizeOptions
        {
            Method = method, Ratio = ratio, Epochs = epochs, BatchSize = 32, ReassignEvery = reassignEvery, EdgeFormat = "mix",
        }).Run(fixture.FloatCheckpoint, fixture.DataPath, Path.Combine(fixture.Folder, outName));

    [Fact]
    public void RmsmpKeepsAccuracyAndSavesAModelThatReloadsExactly()
    {
        Assert.True(fixture.FloatAccuracy > 0.85, $"float model only reached {fixture.FloatAccuracy}");
        var result = Quantize("rmsmp", "rmsmp");
        Assert.InRange(result.TestAccuracy, fixture.FloatAccuracy - 0.06, 1.0);
        Assert.Equal(2, result.Epochs.Count);
        // sp2-4:60,fixed-4:35,fixed-8:5 on 256/128/3-row layers: the average is close to 4.2 bits.
        Assert.InRange(result.AverageWeightBits, 4.0, 4.4);

        var (model, _, plan) = QuantizeJob.LoadQuantized(result.CheckpointPath!);
        Assert.Equal(result.Plan, plan);
        var (_, accuracy) = NN.Training.Evaluator.Evaluate(model, NN.Data.DataRegistry.Load(fixture.DataPath).Test);
        Assert.Equal(result.TestAccuracy, accuracy, 9);
    }

    [Fact]
    public void EveryQuantizedRowLiesOnItsFormatsScaledLevelSet()
    {
        var result = Quantize("msq", "msq", epochs: 1);
        var (model, _, plan) = QuantizeJob.LoadQuantized(result.CheckpointPath!);
        using var _ = GradMode.NoGrad();
        foreach (var (name, layer) in QatModel.Layers(model))
        {
            var quantizer = (RowWiseWeightQuantizer)layer.WeightQuantizer!;
            var w = layer.EffectiveWeight().ToArray();
            var scales = quantizer.Scale.ToArray();
            var formats = plan[name].RowFormats;
            int rowLength = layer.RowLength;
            for (int r = 0; r < layer.Rows; r++)
            {
                var levels = LevelSet.For(formats[r]).Values.ToArray();
                for (int j = 0; j < rowLength; j++)
                {
                    float q = w[r * rowLength + j] / scales[r];
                    Assert.Contains(levels, l => MathF.Abs(l - q) <= 1e-5f * Math.Max(1f, MathF.Abs(l)));
                }
            }
            Assert.Equal(plan[name].RowFormats, quantizer.Formats);
        }
    }

    [Fact]
    public void CalibrationFindsSignedInputsFirstAndUnsignedAfterRelu()
    {
        var result = Quantize("fixed", "fixed", epochs: 0);
        var (model, _, _) = QuantizeJob.LoadQuantized(result.CheckpointPath!);
        var inputs = QatModel.Layers(model).Select(l => (ActivationQuantizer)l.Layer.InputQuantizer!).ToList();
        Assert.True(inputs[0].Config.Signed); // standardized features
        Assert.Equal(QatModel.FirstLayerInputBits, inputs[0].Config.Bits);
        Assert.All(inputs.Skip(1), q => Assert.False(q.Config.Signed)); // after ReLU
        Assert.All(inputs.Skip(1), q => Assert.Equal(4, q.Config.Bits));
        Assert.Empty(result.Epochs);
    }

    [Fact]
    public void ReassignmentKeepsTheMixCounts()
    {
        var result = Quantize("msq", "reassign", epochs: 2, reassignEvery: 1);
        foreach (var layer in result.Plan.Layers)
        {
            var counts = result.Plan.Mix.CountsFor(layer.Rows);
            var formats = result.Plan.Mix.Formats;
            for (int f = 0; f < formats.Count; f++) Assert.Equal(counts[f], layer.CountOf(formats[f]));
        }
    }

    [Theory]
    [InlineData("fixed", "fixed-4:90", "sum to 90")]
    [InlineData("nosuch", null, "unknown method")]
    [InlineData("msq", "sp2-4:50,float-4:50", "float")]
    public void BadMethodsAndRatiosAreRejectedBeforeAnyWork(string method, string? ratio, string expected)
    {
        var e = Assert.Throws<MixQException>(() => QuantizeJob.Resolve(new QuantizeOptions { Method = method, Ratio = ratio }));
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void WeightBitsOutOfRangeAreRejected()
    {
        var e = Assert.Throws<MixQException>(() => QuantizeJob.Resolve(new QuantizeOptions { Method = "fixed", WeightBits = 9 }));
        Assert.Contains("--wbits", e.Message);
    }

    [Fact]
    public void APlanForAnotherModelIsRejected()
    {
        var result = Quantize("fixed", "mismatch", epochs: 0);
        var other = new Sequential(new Linear(8, 16, new Random(0)), new ReLU(), new Linear(16, 3, new Random(0)));
        var e = Assert.Throws<MixQException>(() => result.Plan.Validate(other));
        Assert.Contains("does not match", e.Message);
    }
}
