using MixQ.NN.Losses;
using MixQ.Tensors;

namespace MixQ.NN.Tests;

public class LossTests
{
    [Fact]
    public void CrossEntropyLossMatchesTheHandComputedValue()
    {
        // Row [0, ln 3]: softmax = [1/4, 3/4]. Label 1 -> -ln(3/4). Smoothing 0.2 over 2 classes: target [0.1, 0.9].
        var logits = Tensor.FromArray([0f, MathF.Log(3f)], 1, 2);
        Assert.Equal(-Math.Log(0.75), new CrossEntropyLoss().Compute(logits, [1]).Item(), 1e-6);
        Assert.Equal(-0.9 * Math.Log(0.75) - 0.1 * Math.Log(0.25),
            new CrossEntropyLoss(0.2f).Compute(logits, [1]).Item(), 1e-6);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(-0.1f));
    }

    [Fact]
    public void MseLossIsTheMeanSquaredDifference()
    {
        var p = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var t = Tensor.FromArray([1f, 0f, 3f, 1f], 2, 2);
        Assert.Equal((0 + 4 + 0 + 9) / 4.0, new MseLoss().Compute(p, t).Item(), 1e-6);
    }
}
