namespace MixQ.Tensors.Tests;

/// <summary>Ops fed with strided views (permute / transpose) and reshapes: gradients must flow back through them.</summary>
public class ViewOpsTests
{
    [Fact]
    public void BinaryOpOnTransposedView()
    {
        var rng = new Random(1);
        var x = GradCheck.Input(rng, 3, 4);
        var y = GradCheck.Input(rng, 4, 3);
        GradCheck.Run(t => Ops.Mul(t[0].Transpose(), t[1]),
            d => Reference.Broadcast(Reference.Transpose(d[0], 3, 4), [4, 3], d[1], [4, 3], (p, q) => p * q), x, y);
    }

    [Fact]
    public void PermutedViewBroadcastPerChannel()
    {
        // NHWC -> NCHW view plus a per-channel bias.
        var rng = new Random(2);
        var x = GradCheck.Input(rng, 2, 2, 3, 4);
        var bias = GradCheck.Input(rng, 1, 4, 1, 1);
        GradCheck.Run(t => Ops.Add(t[0].Permute(0, 3, 1, 2), t[1]),
            d => Reference.Broadcast(Reference.Permute(d[0], [2, 2, 3, 4], [0, 3, 1, 2]), [2, 4, 2, 3], d[1], [1, 4, 1, 1], (p, q) => p + q),
            x, bias);
    }

    [Fact]
    public void ReductionOverPermutedView()
    {
        var x = GradCheck.Input(new Random(3), 2, 3, 4);
        GradCheck.Run(t => Ops.Sum(t[0].Permute(2, 0, 1), 1),
            d => Reference.SumAxis(Reference.Permute(d[0], [2, 3, 4], [2, 0, 1]), [4, 2, 3], 1), x);
    }

    [Fact]
    public void MatMulOfTransposedViewEqualsTransposeFlag()
    {
        var rng = new Random(4);
        var a = GradCheck.Input(rng, 4, 3);
        var b = GradCheck.Input(rng, 4, 5);
        GradCheck.Run(t => Ops.MatMul(t[0].Transpose(), t[1]),
            d => Reference.MatMul(Reference.Transpose(d[0], 4, 3), d[1], 3, 4, 5), a, b);
        var viaView = Ops.MatMul(a.Transpose(), b).ToArray();
        var viaFlag = Ops.MatMul(a, b, transA: true).ToArray();
        Assert.Equal(viaFlag, viaView);
    }

    [Fact]
    public void ReshapeFlattenAndContiguousChain()
    {
        // [2, 3, 4] -> permute -> contiguous -> reshape [4, 6] -> tanh -> flatten -> * w [24]
        var rng = new Random(5);
        var x = GradCheck.Input(rng, 2, 3, 4);
        var w = GradCheck.Input(rng, 24);
        GradCheck.Run(t => Ops.Mul(Ops.Tanh(t[0].Permute(2, 0, 1).Contiguous().Reshape(4, 6)).Flatten(0), t[1]),
            d => Reference.Broadcast(Reference.Map(Reference.Permute(d[0], [2, 3, 4], [2, 0, 1]), Math.Tanh), [24], d[1], [24], (p, q) => p * q),
            x, w);
    }

    [Fact]
    public void SliceAndConcatOfViews()
    {
        var x = GradCheck.Input(new Random(6), 3, 4);
        GradCheck.Run(t => Ops.Concat([Ops.Slice(t[0].Transpose(), 0, 1, 2), t[0].Transpose()], 0),
            d =>
            {
                var xt = Reference.Transpose(d[0], 3, 4);
                return Reference.Concat([Reference.Slice(xt, [4, 3], 0, 1, 2), xt], [[2, 3], [4, 3]], 0);
            }, x);
    }
}
