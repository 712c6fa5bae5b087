using MixQ.NN.Data;
using MixQ.NN.Modules;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.NN.Training;

/// <summary>
/// Evaluation in inference mode: no graph, BatchNorm running statistics, dropout off. Each batch's activations go
/// to the next batch once its loss and hits are counted (<see cref="Graph.BatchRecycler"/>), so an input probe that
/// keeps a tensor seen during evaluation must keep a copy.
/// </summary>
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
            using var recycler = Graph.BatchRecycler();
            double lossSum = 0;
            long correct = 0;
            foreach (var (inputs, labels) in loader.Batches(0))
            {
                // Opened after the loader made the batch: the loader reuses its batch tensor, which must stay its own.
                using var window = recycler.Batch();
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
