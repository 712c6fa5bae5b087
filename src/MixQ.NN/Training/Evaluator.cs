using MixQ.NN.Data;
using MixQ.NN.Modules;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.NN.Training;

/// <summary>Evaluation in inference mode: no graph, BatchNorm running statistics, dropout off.</summary>
public static class Evaluator
{
    public static (double Loss, double Accuracy) Evaluate(Module model, Dataset data, int batchSize = 256)
    {
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            var loader = new DataLoader(data, batchSize, shuffle: false);
            double lossSum = 0;
            long correct = 0;
            foreach (var (inputs, labels) in loader.Batches(0))
            {
                var logits = model.Forward(inputs);
                lossSum += Ops.SoftmaxCrossEntropy(logits, labels).Item() * labels.Length;
                correct += Metrics.CountCorrect(logits, labels);
            }
            return data.Count == 0 ? (double.NaN, double.NaN) : (lossSum / data.Count, (double)correct / data.Count);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
