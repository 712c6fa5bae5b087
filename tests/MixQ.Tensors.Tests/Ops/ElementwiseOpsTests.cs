// Test files in this folder use namespace MixQ.Tensors.Tests: a namespace named ...Tests.Ops would shadow the Ops class.
namespace MixQ.Tensors.Tests;

public class ElementwiseOpsTests
{
    // Shape pairs covering each forward path: same shape, single-element operand (either side), row broadcast,
    // per-channel 4-D, broadcasting on both sides, leading-axis broadcast and an outer product.
    public static readonly int[][][] ShapePairs =
    [
        [[2, 3], [2, 3]],
        [[2, 3, 4], [3, 1]],
        [[4], [2, 3, 4]],
        [[2, 3, 2, 2], [1, 3, 1, 1]],
        [[1, 3, 1, 1], [2, 3, 2, 2]],
        [[5, 3], [3]],
        [[2, 3], []],
        [[1], [2, 3]],
        [[2, 1, 4], [3, 1]],
        [[3, 1], [1, 4]],
        [[2, 3, 4], [2, 1, 4]],
    ];

    public static readonly string[] OpNames = ["add", "sub", "mul", "div", "maximum", "minimum"];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var op in OpNames)
            for (int s = 0; s < ShapePairs.Length; s++) data.Add(op, s);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BinaryOpMatchesReferenceAndFiniteDifferences(string op, int shapeCase)
    {
        var aShape = ShapePairs[shapeCase][0];
        var bShape = ShapePairs[shapeCase][1];
        var rng = new Random(100 + shapeCase);
        var a = GradCheck.Input(rng, aShape);
        // Divisors stay away from 0 so the finite differences are well conditioned.
        var b = op == "div" ? GradCheck.AwayFromZero(rng, 0.5f, bShape) : GradCheck.Input(rng, bShape);
        Func<Tensor, Tensor, Tensor> f = op switch
        {
            "add" => Ops.Add,
            "sub" => Ops.Sub,
            "mul" => Ops.Mul,
            "div" => Ops.Div,
            "maximum" => Ops.Maximum,
            _ => Ops.Minimum,
        };
        Func<double, double, double> r = op switch
        {
            "add" => (x, y) => x + y,
            "sub" => (x, y) => x - y,
            "mul" => (x, y) => x * y,
            "div" => (x, y) => x / y,
            "maximum" => Math.Max,
            _ => Math.Min,
        };
        var output = GradCheck.Run(t => f(t[0], t[1]), d => Reference.Broadcast(d[0], aShape, d[1], bShape, r), a, b);
        Assert.Equal(Reference.BroadcastShape(aShape, bShape), output.ShapeArray());
    }

    [Fact]
    public void IncompatibleShapesThrow()
    {
        Assert.Throws<ArgumentException>(() => Ops.Add(Tensor.Zeros(2, 3), Tensor.Zeros(4)));
        Assert.Throws<ArgumentException>(() => Ops.Mul(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
    }

    [Fact]
    public void MaximumAndMinimumSendTiedGradientToFirstOperand()
    {
        var a = Tensor.FromArray([1f, 5f, 2f], 3);
        var b = Tensor.FromArray([1f, 3f, 7f], 3);
        a.RequiresGrad = b.RequiresGrad = true;
        Ops.Sum(Ops.Maximum(a, b)).Backward();
        Assert.Equal([1f, 1f, 0f], a.Grad!.ToArray());
        Assert.Equal([0f, 0f, 1f], b.Grad!.ToArray());

        a.Grad = b.Grad = null;
        Ops.Sum(Ops.Minimum(a, b)).Backward();
        Assert.Equal([1f, 0f, 1f], a.Grad!.ToArray());
        Assert.Equal([0f, 1f, 0f], b.Grad!.ToArray());
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(0f)]
    [InlineData(1f)]
    public void PowScalarHandlesNegativeBasesForIntegerExponents(float p)
    {
        var x = GradCheck.AwayFromZero(new Random(3), 0.3f, 2, 5);
        GradCheck.Run(t => Ops.PowScalar(t[0], p), d => Reference.Map(d[0], v => Math.Pow(v, p)), x);
    }

    [Fact]
    public void PowScalarZeroHasZeroGradientEvenAtZero()
    {
        var x = Tensor.FromArray([0f, -2f, 3f], 3);
        x.RequiresGrad = true;
        var y = Ops.PowScalar(x, 0f);
        Assert.Equal([1f, 1f, 1f], y.ToArray());
        Ops.Sum(y).Backward();
        Assert.Equal([0f, 0f, 0f], x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(1.5f)]
    [InlineData(-0.7f)]
    public void PowScalarOnPositiveBases(float p)
    {
        var x = GradCheck.Uniform(new Random(4), 0.5f, 2f, 3, 4);
        GradCheck.Run(t => Ops.PowScalar(t[0], p), d => Reference.Map(d[0], v => Math.Pow(v, p)), x);
    }

    [Fact]
    public void AddScalarAndMulScalar()
    {
        var rng = new Random(5);
        GradCheck.Run(t => Ops.AddScalar(t[0], 2.5f), d => Reference.Map(d[0], v => v + 2.5), GradCheck.Input(rng, 3, 4));
        GradCheck.Run(t => Ops.MulScalar(t[0], -1.5f), d => Reference.Map(d[0], v => v * -1.5), GradCheck.Input(rng, 3, 4));
    }

    [Fact]
    public void OperatorsCompose()
    {
        var rng = new Random(6);
        var a = GradCheck.Input(rng, 2, 3);
        var b = GradCheck.AwayFromZero(rng, 0.5f, 3);
        // ((a + b) * a - 2) / b + 3 * a - a / 4 + 1 / b - (-a), then 1 - result and result + 0.5
        GradCheck.Run(t =>
            {
                var (x, y) = (t[0], t[1]);
                var r = ((x + y) * x - 2f) / y + 3f * x - x / 4f + 1f / y - (-x);
                return 0.5f + (1f - r) * 2f + r - 1f;
            },
            d => Reference.Broadcast(d[0], [2, 3], d[1], [3], (x, y) =>
            {
                double r = ((x + y) * x - 2) / y + 3 * x - x / 4 + 1 / y + x;
                return 0.5 + (1 - r) * 2 + r - 1;
            }),
            a, b);
    }

    [Fact]
    public void TensorUsedTwiceAccumulatesBothPaths()
    {
        var x = GradCheck.Input(new Random(8), 3, 4);
        // x * x + x: gradient 2x + 1 collects contributions from three uses of x.
        GradCheck.Run(t => Ops.Add(Ops.Mul(t[0], t[0]), t[0]), d => Reference.Map(d[0], v => v * v + v), x);

        var y = Tensor.FromArray([1f, -2f, 3f], 3);
        y.RequiresGrad = true;
        Ops.Sum(y + y).Backward();
        Assert.Equal([2f, 2f, 2f], y.Grad!.ToArray());
    }

    [Fact]
    public void ConstantOperandGetsNoGradient()
    {
        var rng = new Random(9);
        var x = GradCheck.Input(rng, 2, 3);
        var c = Tensor.RandN(rng, 1f, 3);
        GradCheck.Run(t => Ops.Mul(t[0], t[1]), d => Reference.Broadcast(d[0], [2, 3], d[1], [3], (p, q) => p * q), x, c);
        Assert.Null(c.Grad);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, new[] { 3, 1 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 2, 3, 4 }, new int[0])]
    [InlineData(new[] { 4, 3, 2, 2 }, new[] { 1, 3, 1, 1 })]
    [InlineData(new[] { 2, 3 }, new[] { 2, 3 })]
    public void SumToShapeAndBroadcastTo(int[] big, int[] small)
    {
        var rng = new Random(10);
        var x = GradCheck.Input(rng, big);
        GradCheck.Run(t => Ops.SumToShape(t[0], small), d =>
        {
            var sum = new double[Reference.Size(small)];
            for (int i = 0; i < d[0].Length; i++) sum[Reference.BroadcastIndex(Reference.Unravel(i, big), small)] += d[0][i];
            return sum;
        }, x);

        var s = GradCheck.Input(rng, small);
        var zeros = new double[Reference.Size(big)];
        GradCheck.Run(t => Ops.BroadcastTo(t[0], big), d => Reference.Broadcast(zeros, big, d[0], small, (_, v) => v), s);
    }

    [Fact]
    public void BroadcastToRejectsIncompatibleShape()
    {
        Assert.Throws<ArgumentException>(() => Ops.BroadcastTo(Tensor.Zeros(3, 2), 3, 4));
        Assert.Throws<ArgumentException>(() => Ops.SumToShape(Tensor.Zeros(3, 2), 3));
    }
}
