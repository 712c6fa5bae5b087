using MixQ.NN.Data;
using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Training;
using MixQ.Tensors;

namespace MixQ.NN.Tests.Training;

/// <summary>The trainer's extension hook: extra loss terms reach the gradients, own parameters stay out of its optimizer.</summary>
public sealed class TrainerExtensionTests
{
    private sealed class Penalty(Tensor penalised, Tensor own, float weight) : ITrainingExtension
    {
        public int Epochs, Steps, Evaluations;
        public IReadOnlyList<Tensor> OwnParameters => [own];
        public void OnEpochStart(int epoch) => Epochs++;
        public Tensor? ExtraLoss(int globalStep, int totalSteps) => weight == 0 ? null : Ops.MulScalar(Ops.Sum(Ops.Square(penalised)), weight);
        public void AfterStep(int globalStep, int totalSteps) { Steps++; own.Grad = null; }
        public void BeforeEvaluation(int epoch) => Evaluations++;
    }

    private static (Module Model, ModelSpec Spec, Dataset Data) Setup()
    {
        var rng = new Random(2);
        int n = 256;
        var x = new float[n * 4];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float)(rng.NextDouble() * 2 - 1);
            y[i] = x[i * 4] > 0 ? 1 : 0;
        }
        var data = new Dataset("toy", x, y, [4], 2, DatasetKind.Table);
        var spec = new ModelSpec("mlp", [4], 2);
        return (ModelZoo.Create(spec, new Random(3)), spec, data);
    }

    [Fact]
    public void ExtraLossShrinksWhatItPenalisesAndOwnParametersAreLeftToTheExtension()
    {
        var config = new TrainConfig { Model = "mlp", Data = "toy", Epochs = 2, BatchSize = 32, LearningRate = 0.05 };

        var (plain, spec, data) = Setup();
        new Trainer(config).Run(plain, spec, data, data);
        var plainLast = ((Linear)plain.NamedModules().Last(m => m.Module is Linear).Module).Weight.ToArray();

        var (model, _, _) = Setup();
        var linears = model.NamedModules().Where(m => m.Module is Linear).Select(m => (Linear)m.Module).ToList();
        var first = linears[0].Weight;
        var before = first.ToArray();
        var extension = new Penalty(linears[^1].Weight, first, 1f);
        new Trainer(config, extension: extension).Run(model, spec, data, data);

        Assert.Equal(before, first.ToArray()); // the trainer's optimizer never touched the extension's parameter
        double penalised = linears[^1].Weight.ToArray().Sum(v => v * (double)v), free = plainLast.Sum(v => v * (double)v);
        Assert.True(penalised < free / 2, $"penalised weight energy {penalised} vs {free}");
        Assert.Equal(2, extension.Epochs);
        Assert.Equal(2, extension.Evaluations);
        Assert.Equal(2 * 8, extension.Steps);
    }
}
