using MixQ.NN.Data;
using MixQ.NN.Training;
using MixQ.Quantization.Integer;
using MixQ.Quantization.Qat;

namespace MixQ.Codegen.Tests.Support;

/// <summary>
/// Real MNIST models for the tool-in-the-loop tests: the zoo's mlp or lenet5, trained for one epoch on the first
/// 4,000 training images, quantized with RMSMP (SP2-4, fixed-4 and fixed-8 rows in every inner layer, so both GEMM
/// cores and all shift/multiply forms are exercised) and calibrated without fine-tuning, converted to the integer
/// model. Short training keeps the suite fast; bit-exactness does not depend on how long the model trained.
/// </summary>
internal static class MnistModels
{
    public const int TestVectors = 1000;

    public static (IntegerModel Model, Vectors.TestVectors Vectors) Build(string name, string work)
    {
        var train = new Trainer(new TrainConfig
        {
            Model = name, Data = "mnist", Epochs = 1, BatchSize = 128, Seed = 1, OutDir = Path.Combine(work, "float"),
            LimitTrainSamples = 4000, LimitTestSamples = 500,
        }, SilentObserver.Instance).Run(false);
        new QuantizeJob(new QuantizeOptions { Method = "rmsmp", Epochs = 0, LimitTrainSamples = 2000, LimitTestSamples = 500, Seed = 1 })
            .Run(train.CheckpointPath!, "mnist", Path.Combine(work, "quantized"));
        var model = IntegerConverter.FromCheckpoint(Path.Combine(work, "quantized", QuantizeJob.QuantizedFileName)).Model;
        var test = DataRegistry.Load("mnist", new DataOptions(), _ => { }).Test.Limit(TestVectors);
        var vectors = Vectors.TestVectors.FromEngine(new IntegerEngine(model), test.Features.AsSpan(0, test.Count * test.SampleSize), test.Count);
        return (model, vectors);
    }
}
