namespace MixQ.Tensors.Tests;

public class UnaryOpsTests
{
    private static readonly int[] Shape = [3, 5];

    [Fact]
    public void Neg() => Check(Ops.Neg, v => -v, GradCheck.Input(new Random(1), Shape));

    [Fact]
    public void Exp() => Check(Ops.Exp, Math.Exp, GradCheck.Input(new Random(2), Shape));

    [Fact]
    public void Log() => Check(Ops.Log, Math.Log, GradCheck.Uniform(new Random(3), 0.2f, 3f, Shape));

    [Fact]
    public void Sqrt() => Check(Ops.Sqrt, Math.Sqrt, GradCheck.Uniform(new Random(4), 0.2f, 3f, Shape));

    [Fact]
    public void Tanh() => Check(Ops.Tanh, Math.Tanh, GradCheck.Input(new Random(5), Shape));

    [Fact]
    public void Sigmoid() => Check(Ops.Sigmoid, Reference.Sigmoid, GradCheck.Input(new Random(6), Shape));

    [Fact]
    public void Relu() => Check(Ops.Relu, v => Math.Max(v, 0), GradCheck.AwayFromZero(new Random(7), 0.01f, Shape));

    [Fact]
    public void Abs() => Check(Ops.Abs, Math.Abs, GradCheck.AwayFromZero(new Random(8), 0.01f, Shape));

    [Fact]
    public void Square() => Check(Ops.Square, v => v * v, GradCheck.Input(new Random(9), Shape));

    [Fact]
    public void Clamp()
    {
        // Values kept 0.01 away from the bounds so finite differences do not straddle a kink.
        var x = GradCheck.Input(new Random(10), 4, 6);
        var s = x.Span;
        for (int i = 0; i < s.Length; i++)
        {
            if (MathF.Abs(s[i] + 0.5f) < 0.01f) s[i] -= 0.02f;
            if (MathF.Abs(s[i] - 0.7f) < 0.01f) s[i] += 0.02f;
        }
        Check(t => Ops.Clamp(t, -0.5f, 0.7f), v => Math.Clamp(v, -0.5, 0.7), x);
    }

    [Fact]
    public void LargeTensorsUseTheVectorPaths()
    {
        // 67 elements: the mask kernels run their 512-bit, 256-bit and scalar-tail sections.
        Check(Ops.Relu, v => Math.Max(v, 0), GradCheck.AwayFromZero(new Random(11), 0.01f, 67));
        Check(Ops.Abs, Math.Abs, GradCheck.AwayFromZero(new Random(12), 0.01f, 67));
        Check(t => Ops.Clamp(t, -0.3f, 0.4f), v => Math.Clamp(v, -0.3, 0.4), GradCheck.AwayFromZero(new Random(13), 0.45f, 67));
    }

    [Fact]
    public void KinksUseTheDocumentedSubgradients()
    {
        var x = Tensor.FromArray([-1f, 0f, 0.5f, 1f, 2f], 5);
        x.RequiresGrad = true;
        Ops.Sum(Ops.Clamp(x, 0f, 1f)).Backward();
        Assert.Equal([0f, 1f, 1f, 1f, 0f], x.Grad!.ToArray()); // closed interval: the bounds pass the gradient

        x.Grad = null;
        Ops.Sum(Ops.Relu(x)).Backward();
        Assert.Equal([0f, 0f, 1f, 1f, 1f], x.Grad!.ToArray()); // relu'(0) = 0

        x.Grad = null;
        Ops.Sum(Ops.Abs(x)).Backward();
        Assert.Equal([-1f, 0f, 1f, 1f, 1f], x.Grad!.ToArray()); // |x|'(0) = 0
    }

    [Fact]
    public void ClampRejectsReversedBounds() =>
        Assert.Throws<ArgumentException>(() => Ops.Clamp(Tensor.Zeros(2), 1f, 0f));

    [Fact]
    public void GradientAccumulatesIntoExistingGradient()
    {
        // exp(x) + tanh(x): the second backward adds into the gradient the first one created.
        var x = GradCheck.Input(new Random(14), 2, 3);
        GradCheck.Run(t => Ops.Add(Ops.Exp(t[0]), Ops.Tanh(t[0])),
            d => Reference.Map(d[0], v => Math.Exp(v) + Math.Tanh(v)), x);
    }

    private static void Check(Func<Tensor, Tensor> op, Func<double, double> reference, Tensor x) =>
        GradCheck.Run(t => op(t[0]), d => Reference.Map(d[0], reference), x);
}
