using MixQ.NN.Models;
using MixQ.NN.Training;
using MixQ.Quantization.Qat;
using MixQ.Tensors;

namespace MixQ.Quantization.Tests.Qat;

public sealed class FloatStartTests(QatFixture fixture) : IClassFixture<QatFixture>
{
    private FloatStart Load(int limitTrain = 0) =>
        FloatStart.Load(fixture.FloatCheckpoint, fixture.DataPath, seed: 0, limitTrain, limitTest: 0, SilentObserver.Instance);

    [Fact]
    public void FloatAccuracyIsWhatTrainingReportedForTheSameWeights()
    {
        var start = Load();
        Assert.Equal(fixture.FloatAccuracy, start.FloatAccuracy, 9);
        Assert.Equal("mlp", start.Spec.Name);
        Assert.Equal(1500, start.Train.Count);
        Assert.Equal(500, start.Test.Count);
    }

    [Fact]
    public void TrainingDataIsLimitedAsAsked() => Assert.Equal(200, Load(limitTrain: 200).Train.Count);

    [Fact]
    public void CalibrationBatchesAreSeededCopiesOfShuffledTrainingBatches()
    {
        var start = Load();
        var first = start.CalibrationBatches(batchSize: 32, count: 3, seed: 7);
        Assert.Equal(3, first.Count);
        Assert.All(first, b => Assert.Equal(32, b.Labels.Length));
        Assert.All(first, b => Assert.Equal([32, 8], b.Inputs.Shape.ToArray()));

        // Copies: the loader reuses its buffers, so without them every entry would hold the last batch drawn.
        Assert.NotEqual(first[0].Inputs.ToArray(), first[1].Inputs.ToArray());
        Assert.NotEqual(first[1].Inputs.ToArray(), first[2].Inputs.ToArray());

        // The same seed draws the same batches.
        var again = start.CalibrationBatches(batchSize: 32, count: 3, seed: 7);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(first[k].Inputs.ToArray(), again[k].Inputs.ToArray());
            Assert.Equal(first[k].Labels, again[k].Labels);
        }

        // A different seed shuffles differently.
        var other = start.CalibrationBatches(batchSize: 32, count: 1, seed: 8);
        Assert.NotEqual(again[0].Inputs.ToArray(), other[0].Inputs.ToArray());
    }

    [Fact]
    public void FineTuningDefaultsToATenthOfTheModelsLearningRateWithoutWarmup()
    {
        var start = Load();
        var config = start.FineTuning(fixture.DataPath, epochs: 3, batchSize: 64, learningRate: null, seed: 5);
        Assert.Equal(ModelZoo.DefaultsFor("mlp").LearningRate * 0.1, config.LearningRate!.Value, 12);
        Assert.Equal(0, config.WarmupEpochs);
        Assert.Equal((3, 64, 5, "mlp"), (config.Epochs, config.BatchSize, config.Seed, config.Model));
        Assert.Equal(0.02, start.FineTuning(fixture.DataPath, 1, 32, learningRate: 0.02, seed: 0).LearningRate!.Value, 12);
    }

    [Fact]
    public void AMissingCheckpointIsNamedInTheError()
    {
        var path = Path.Combine(fixture.Folder, "absent.safetensors");
        var e = Assert.Throws<MixQException>(() => FloatStart.Load(path, fixture.DataPath, 0, 0, 0, SilentObserver.Instance));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void AQuantizedCheckpointIsRefusedAsAStart()
    {
        var quantized = new QuantizeJob(new QuantizeOptions { Method = "fixed", Epochs = 0, BatchSize = 32 })
            .Run(fixture.FloatCheckpoint, fixture.DataPath, Path.Combine(fixture.Folder, "start-fixed")).CheckpointPath!;
        var e = Assert.Throws<MixQException>(() => FloatStart.Load(quantized, fixture.DataPath, 0, 0, 0, SilentObserver.Instance));
        Assert.StartsWith($"checkpoint {quantized} is a quantized model", e.Message);
    }
}
