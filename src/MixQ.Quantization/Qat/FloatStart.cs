using MixQ.NN.Checkpoints;
using MixQ.NN.Data;
using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Training;
using MixQ.Tensors;

namespace MixQ.Quantization.Qat;

/// <summary>
/// What every quantization run starts from (row-wise QAT and HGQ alike): the float model with its checkpoint's weights,
/// the data (limited as asked), the float model's test accuracy, and BatchNorm folded into the preceding layers, so
/// whatever is quantized afterwards is what the hardware holds.
/// </summary>
public sealed record FloatStart(ModelSpec Spec, Module Model, Dataset Train, Dataset Test, double FloatAccuracy)
{
    /// <summary>Loads <paramref name="floatCheckpoint"/> and <paramref name="data"/>, evaluates, folds; reports one line.</summary>
    public static FloatStart Load(string floatCheckpoint, string data, int seed, int limitTrain, int limitTest, ITrainingObserver observer)
    {
        if (!File.Exists(floatCheckpoint)) throw new MixQException($"checkpoint {floatCheckpoint} does not exist");
        var spec = ModelZoo.ReadSpec(floatCheckpoint);
        var model = ModelZoo.Create(spec, new Random(seed));
        Checkpoint.Load(floatCheckpoint, model);
        var split = DataRegistry.Load(data, new DataOptions(), observer.OnInfo);
        var train = split.Train.Limit(limitTrain);
        var test = split.Test.Limit(limitTest);
        ModelZoo.CheckCompatible(spec, test, floatCheckpoint);

        model.Eval();
        double floatAccuracy = Evaluator.Evaluate(model, test).Accuracy;
        int folds = BatchNormFolding.FoldAll(model);
        observer.OnInfo($"float model: test accuracy {floatAccuracy:P2}; folded {folds} BatchNorm layers");
        return new FloatStart(spec, model, train, test, floatAccuracy);
    }

    /// <summary>
    /// The first <paramref name="count"/> shuffled training batches, copied: what quantizers are calibrated on (and the
    /// row assignment's sensitivity is measured with).
    /// </summary>
    public List<(Tensor Inputs, int[] Labels)> CalibrationBatches(int batchSize, int count, int seed)
    {
        var loader = new DataLoader(Train, batchSize, shuffle: true, seed: seed ^ 0x5eed);
        // The loader reuses its buffers, so each batch is copied before the next is drawn.
        return loader.Batches(0).Take(count).Select(b => (b.Inputs.Clone(), (int[])b.Labels.Clone())).ToList();
    }

    /// <summary>
    /// Training settings for fine-tuning from the float model: the model's default learning rate divided by ten unless
    /// <paramref name="learningRate"/> is given, and no warm-up (the weights are already trained).
    /// </summary>
    public TrainConfig FineTuning(string data, int epochs, int batchSize, double? learningRate, int seed) => new()
    {
        Model = Spec.Name, Data = data, Epochs = epochs, BatchSize = batchSize,
        LearningRate = learningRate ?? ModelZoo.DefaultsFor(Spec.Name).LearningRate * 0.1, WarmupEpochs = 0, Seed = seed,
    };
}
