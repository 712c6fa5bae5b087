using MixQ.NN.Data;
using MixQ.NN.Models;
using MixQ.NN.Training;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.NN.Tests.Training;

public class EvaluatorTests
{
    /// <summary>
    /// Evaluation recycles each batch's activations (Graph.BatchRecycler): its loss and accuracy must equal a plain
    /// loop that leaves every tensor to the GC, batch by batch, including a short last batch, and stay the same when
    /// the next evaluation runs on the recycled arrays.
    /// </summary>
    [Fact]
    public void RecyclingActivationsLeavesLossAndAccuracyExactlyAsAPlainLoop()
    {
        var rng = new Random(4);
        int n = 70;
        var features = new float[n * 3 * 32 * 32];
        for (int i = 0; i < features.Length; i++) features[i] = (float)(rng.NextDouble() * 2 - 1);
        var labels = Enumerable.Range(0, n).Select(_ => rng.Next(10)).ToArray();
        var data = new Dataset("random", features, labels, [3, 32, 32], 10, DatasetKind.Image);
        var model = ModelZoo.Create(new ModelSpec("cifarnet", [3, 32, 32], 10), new Random(2));

        // Reference: the same batches by hand, nothing recycled.
        model.Eval();
        double lossSum = 0;
        long correct = 0;
        using (GradMode.NoGrad())
            foreach (var (inputs, y) in new DataLoader(data, 32, shuffle: false).Batches(0))
            {
                var logits = model.Forward(inputs);
                lossSum += Ops.SoftmaxCrossEntropy(logits, y).Item() * y.Length;
                correct += Metrics.CountCorrect(logits, y);
            }
        model.Train();

        var first = Evaluator.Evaluate(model, data, 32);
        var second = Evaluator.Evaluate(model, data, 32);
        Assert.Equal(lossSum / n, first.Loss);
        Assert.Equal((double)correct / n, first.Accuracy);
        Assert.Equal(first, second);
        Assert.True(model.Training); // the mode it had
    }
}
