using MixQ.Tensors;
using static MixQ.Tensors.Tests.Approx;

namespace MixQ.Tensors.Tests;

public class LossTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void SoftmaxCrossEntropyMatchesReference(float smoothing)
    {
        var logits = Random(new Random(1), 4f, 4, 5);
        int[] labels = [0, 3, 4, 3];
        GradCheck.Run(t => Ops.SoftmaxCrossEntropy(t[0], labels, smoothing),
            v => [NaiveReference.CrossEntropy(v[0], 5, labels, smoothing)],
            [logits]);
    }

    [Fact]
    public void SoftmaxCrossEntropyOfHugeLogitsStaysFinite()
    {
        var logits = Tensor.FromArray([1e4f, 0f, -1e4f, -5e3f, 5e3f, 0f, 3e37f, -3e37f, 0f], 3, 3);
        logits.RequiresGrad = true;
        var loss = Ops.SoftmaxCrossEntropy(logits, [0, 0, 1]);
        // Row losses: 0, 1e4, 6e37 (the label's logit is 6e37 below the max).
        AssertClose((0 + 1e4 + 6e37) / 3, loss.Item(), 1e-6, "loss");
        loss.Backward();
        var g = logits.Grad!.ToArray();
        Assert.All(g, v => Assert.True(float.IsFinite(v)));
        // (softmax - onehot) / N: row 1 puts all mass on class 1 while the label is 0.
        AssertClose(-1.0 / 3, g[3], 1e-6, "d row1 label");
        AssertClose(1.0 / 3, g[4], 1e-6, "d row1 winner");
    }

    [Fact]
    public void SoftmaxCrossEntropyRejectsLabelsOutsideTheClasses()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.SoftmaxCrossEntropy(Tensor.Zeros(2, 3), [0, 3]));
        Assert.Throws<ArgumentException>(() => Ops.SoftmaxCrossEntropy(Tensor.Zeros(2, 3), [0]));
    }

    [Fact]
    public void MseMatchesReferenceForBothInputs()
    {
        var rng = new Random(2);
        var p = Random(rng, 2f, 3, 4);
        var t = Random(rng, 2f, 3, 4);
        GradCheck.Run(x => Ops.MseLoss(x[0], x[1]),
            v => [v[0].Zip(v[1], (a, b) => (a - b) * (a - b)).Average()],
            [p, t]);
    }
}
