using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.NN.Tests.Layers;

public sealed class BatchNormFoldAllTests
{
    [Theory]
    [InlineData("cifarnet", 5)]
    [InlineData("resnet20", 21)] // stem + 18 block convs + 2 projection shortcuts
    public void FoldedModelComputesWhatTheOriginalDidInEvalMode(string name, int expectedFolds)
    {
        var rng = new Random(3);
        var model = ModelZoo.Create(new ModelSpec(name, [3, 32, 32], 10), rng);
        // Non-trivial statistics and affine terms, so that a wrong fold cannot pass by accident.
        foreach (var (n, t) in model.StateDict())
        {
            if (n.EndsWith("running_var", StringComparison.Ordinal)) t.CopyFrom(Tensor.RandUniform(rng, 0.5f, 2f, t.ShapeArray()));
            else if (n.EndsWith("running_mean", StringComparison.Ordinal) || (t.Rank == 1 && n.EndsWith("bias", StringComparison.Ordinal)))
                t.CopyFrom(Tensor.RandUniform(rng, -0.5f, 0.5f, t.ShapeArray()));
        }
        model.Eval();
        var x = Tensor.RandN(rng, 1f, 2, 3, 32, 32);
        using var _ = GradMode.NoGrad();
        var before = model.Forward(x).ToArray();
        Assert.Equal(expectedFolds, BatchNormFolding.FoldAll(model));
        Assert.DoesNotContain(model.NamedModules(), m => m.Module is BatchNorm);
        var after = model.Forward(x).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i], 1e-3);
    }
}
