using MixQ.NN.Data;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Hgq.Integer;
using MixQ.Quantization.Tests.Qat;

namespace MixQ.Quantization.Tests.Hgq;

/// <summary>The whole HGQ run on a small table: Pareto checkpoints on disk, bit-exact integer twin, bad input.</summary>
public sealed class HgqJobTests(QatFixture fixture) : IClassFixture<QatFixture>
{
    [Fact]
    public void RunKeepsExactlyTheParetoCheckpointsAndTheFinalModelIsBitExact()
    {
        string outDir = Path.Combine(fixture.Folder, "hgq-" + Guid.NewGuid().ToString("N"));
        var options = new HgqOptions
        {
            Epochs = 4, BatchSize = 32, LearningRate = 0.01, Beta = BetaSchedule.Parse("log:1e-6:1e-3"), CalibrationBatches = 4,
        };
        var result = new HgqJob(options).Run(fixture.FloatCheckpoint, fixture.DataPath, outDir);

        Assert.Equal(5, result.Evaluated.Count); // before training, then after each epoch
        Assert.True(result.Evaluated[^1].Ebops < result.Evaluated[0].Ebops, "a rising beta must lower EBOPs");
        Assert.InRange(result.TestAccuracy, fixture.FloatAccuracy - 0.15, 1.0);
        var onDisk = Directory.GetFiles(Path.Combine(outDir, HgqJob.ParetoFolder), "*.safetensors").Select(Path.GetFullPath).ToHashSet();
        Assert.Equal(result.Pareto.Select(p => Path.GetFullPath(p.Checkpoint!)).ToHashSet(), onDisk);
        foreach (var p in result.Evaluated) // each evaluation is on the front or beaten by (or tied with) a front point
            Assert.Contains(result.Pareto, q => q.Dominates(p) || (q.Ebops == p.Ebops && q.TestAccuracy == p.TestAccuracy));
        Assert.True(File.Exists(Path.Combine(outDir, ParetoFiles.SvgName)));
        Assert.Equal(0, result.BitExactness!.MismatchedOutputs);

        // A saved Pareto checkpoint reloads to the same accuracy and EBOPs, and is bit-exact too.
        var best = result.Pareto[^1];
        var (model, _) = HgqJob.Load(best.Checkpoint!);
        var test = DataRegistry.Load(fixture.DataPath, new DataOptions(), _ => { }).Test;
        var report = HgqBitExactness.Check(model, test);
        Assert.Equal(0, report.MismatchedOutputs);
        Assert.Equal(best.TestAccuracy, report.FloatAccuracy, 12);
        Assert.Equal(best.Ebops, HgqModel.Layers(model).Sum(Ebops.Exact));
    }

    [Fact]
    public void TheControllerPullsEbopsTowardItsTarget()
    {
        var baseline = new HgqJob(new HgqOptions { Epochs = 1, BatchSize = 32, Beta = BetaSchedule.Parse("constant:0"), VerifyInteger = false })
            .Run(fixture.FloatCheckpoint, fixture.DataPath, null);
        double target = baseline.Ebops / 4.0;
        var steered = new HgqJob(new HgqOptions
        {
            Epochs = 3, BatchSize = 32, TargetEbops = target, Beta = BetaSchedule.Parse("constant:1e-6"), BitsLearningRate = 0.02, VerifyInteger = false,
        }).Run(fixture.FloatCheckpoint, fixture.DataPath, null);
        Assert.InRange(steered.Ebops, target / 2, target * 2);
    }

    [Fact]
    public void FrozenBitsStayWhereTheyStartThroughTrainingSaveAndReload()
    {
        string outDir = Path.Combine(fixture.Folder, "frozen-" + Guid.NewGuid().ToString("N"));
        var options = new HgqOptions
        {
            Epochs = 1, BatchSize = 32, VerifyInteger = false,
            Weights = new HgqQuantizerConfig { InitialFractionalBits = 5, Trainable = false, Overflow = OverflowMode.Wrap },
            Activations = new HgqQuantizerConfig { InitialFractionalBits = 4, Trainable = false },
        };
        new HgqJob(options).Run(fixture.FloatCheckpoint, fixture.DataPath, outDir);
        var (model, _) = HgqJob.Load(Path.Combine(outDir, HgqJob.FinalFileName));
        foreach (var layer in HgqModel.Layers(model))
        {
            Assert.All(layer.Weight.FractionalBits.ToArray(), f => Assert.Equal(5f, f));
            Assert.All(layer.Input.FractionalBits.ToArray(), f => Assert.Equal(4f, f));
            Assert.False(layer.Weight.FractionalBits.RequiresGrad);
        }
    }

    [Fact]
    public void ACheckpointOfAnotherModelOrAQuantizedOneIsRefused()
    {
        // Data with 5 features for a model trained on 8: a checkpoint from a different model.
        string other = Path.Combine(fixture.Folder, "five-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllLines(other, ["a,b,c,d,e,label", .. Enumerable.Range(0, 40).Select(i => $"{i % 3},{i % 5},{i % 7},1,0,{i % 3}")]);
        var ex = Assert.Throws<MixQException>(() => new HgqJob(new HgqOptions { Epochs = 1 }).Run(fixture.FloatCheckpoint, other, null));
        Assert.Contains(fixture.FloatCheckpoint, ex.Message);
        var missing = Assert.Throws<MixQException>(() => new HgqJob(new HgqOptions { Epochs = 1 }).Run("/nonexistent.safetensors", fixture.DataPath, null));
        Assert.Equal("checkpoint /nonexistent.safetensors does not exist", missing.Message);
    }
}
