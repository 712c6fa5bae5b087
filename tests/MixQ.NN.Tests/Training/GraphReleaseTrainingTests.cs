using MixQ.NN.Models;
using MixQ.NN.Optim;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.NN.Tests.Training;

/// <summary>
/// The Trainer releases each step's graph so the next step reuses its memory. Training must come out bit-identical
/// to training that leaves everything to the GC, for a CNN with BatchNorm (cifarnet) and one without (lenet5).
/// </summary>
public sealed class GraphReleaseTrainingTests
{
    [Theory]
    [InlineData("lenet5", 1, 28)]
    [InlineData("cifarnet", 3, 32)]
    public void ReleasingGraphsLeavesTrainingUnchanged(string name, int channels, int side)
    {
        Assert.Equal(Train(name, channels, side, release: false), Train(name, channels, side, release: true));
    }

    private static float[] Train(string name, int channels, int side, bool release)
    {
        var rng = new Random(7);
        var model = ModelZoo.Create(new ModelSpec(name, [channels, side, side], 10), rng);
        model.Train();
        var optimizer = new Sgd(model.Parameters(), new SgdOptions(0.05f) { Momentum = 0.9f, WeightDecay = 5e-4f });
        var data = new Random(11);
        var losses = new List<float>();
        for (int step = 0; step < 4; step++)
        {
            var x = Tensor.RandN(data, 1f, 16, channels, side, side);
            var labels = Enumerable.Range(0, 16).Select(_ => data.Next(10)).ToArray();
            var loss = Ops.SoftmaxCrossEntropy(model.Forward(x), labels);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            losses.Add(loss.Item());
            if (release) Graph.Release(loss);
        }
        return [.. losses, .. model.Parameters().SelectMany(p => p.ToArray())];
    }
}
