using MixQ.Tensors.Autograd;

namespace MixQ.Tensors.Tests;

public class GraphBehaviourTests
{
    [Fact]
    public void NoGradRecordsNothing()
    {
        var x = GradCheck.Input(new Random(1), 2, 3);
        var w = GradCheck.Input(new Random(2), 4, 3);
        using (GradMode.NoGrad())
        {
            Tensor[] results =
            [
                Ops.Add(x, x), Ops.Exp(x), Ops.Sum(x), Ops.Max(x, 1), Ops.MatMul(x, w, transB: true), Ops.Linear(x, w),
                Ops.Slice(x, 1, 0, 2), Ops.Concat([x, x], 0), Ops.Relu(x), x * 2f,
            ];
            foreach (var r in results)
            {
                Assert.False(r.RequiresGrad);
                Assert.True(r.IsLeaf);
            }
        }
        Assert.True(Ops.Exp(x).RequiresGrad); // recording resumes after the scope
    }

    [Fact]
    public void OpsOnConstantsRecordNothing()
    {
        var c = Tensor.Ones(2, 2);
        var r = Ops.Mul(Ops.Exp(c), c);
        Assert.False(r.RequiresGrad);
        Assert.True(r.IsLeaf);
    }

    [Fact]
    public void IntermediateGradientsAreFreedLeavesKeepTheirs()
    {
        var x = GradCheck.Input(new Random(3), 3);
        var y = Ops.Exp(x);
        var z = Ops.Mul(y, y);
        var loss = Ops.Sum(z);
        loss.Backward();
        Assert.Null(y.Grad);
        Assert.Null(z.Grad);
        Assert.Null(loss.Grad);
        Assert.NotNull(x.Grad);
        // d/dx sum(exp(x)^2) = 2 exp(2x)
        var expected = x.ToArray().Select(v => 2 * MathF.Exp(2 * v)).ToArray();
        Assert.All(x.Grad!.ToArray().Zip(expected), p => Assert.Equal(p.Second, p.First, p.Second * 1e-5f));
    }

    [Fact]
    public void LeafGradientsAccumulateAcrossBackwardCalls()
    {
        var x = GradCheck.Input(new Random(4), 4);
        Ops.Sum(Ops.MulScalar(x, 3f)).Backward();
        Ops.Sum(Ops.MulScalar(x, 3f)).Backward();
        Assert.Equal([6f, 6f, 6f, 6f], x.Grad!.ToArray());
    }

    [Fact]
    public void DiamondGraphSumsBothBranches()
    {
        // f(x) = (2x) * exp(x): x reaches the product along two paths.
        var x = GradCheck.Input(new Random(5), 2, 2);
        GradCheck.Run(t => Ops.Mul(Ops.MulScalar(t[0], 2f), Ops.Exp(t[0])), d => Reference.Map(d[0], v => 2 * v * Math.Exp(v)), x);
    }

    [Fact]
    public void MlpLayerEndToEnd()
    {
        // relu(x W1^T + b1) W2^T + b2, mean over everything: the training hot path, checked as a whole.
        var rng = new Random(6);
        var x = GradCheck.Input(rng, 4, 3);
        var w1 = GradCheck.Input(rng, 5, 3);
        var b1 = GradCheck.Input(rng, 5);
        var w2 = GradCheck.Input(rng, 2, 5);
        var b2 = GradCheck.Input(rng, 2);
        GradCheck.Run(t => Ops.Mean(Ops.Linear(Ops.Relu(Ops.Linear(t[0], t[1], t[2])), t[3], t[4])), d =>
            {
                double total = 0;
                for (int r = 0; r < 4; r++)
                {
                    var h = new double[5];
                    for (int j = 0; j < 5; j++)
                    {
                        double s = d[2][j];
                        for (int i = 0; i < 3; i++) s += d[0][r * 3 + i] * d[1][j * 3 + i];
                        h[j] = Math.Max(s, 0);
                    }
                    for (int o = 0; o < 2; o++)
                    {
                        double s = d[4][o];
                        for (int j = 0; j < 5; j++) s += h[j] * d[3][o * 5 + j];
                        total += s;
                    }
                }
                return [total / 8];
            }, x, w1, b1, w2, b2);
    }
}
