namespace MixQ.Tensors.Tests;

public class ReductionOpsTests
{
    private static readonly int[] Shape = [2, 3, 4];

    [Fact]
    public void SumAll()
    {
        var output = GradCheck.Run(t => Ops.Sum(t[0]), d => [d[0].Sum()], GradCheck.Input(new Random(1), Shape));
        Assert.Equal(0, output.Rank);
    }

    [Fact]
    public void MeanAll()
    {
        var output = GradCheck.Run(t => Ops.Mean(t[0]), d => [d[0].Average()], GradCheck.Input(new Random(2), Shape));
        Assert.Equal(0, output.Rank);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(-1, true)]
    [InlineData(1, true)]
    public void SumAlongAxis(int axis, bool keepDim)
    {
        int ax = axis < 0 ? axis + Shape.Length : axis;
        var output = GradCheck.Run(t => Ops.Sum(t[0], axis, keepDim), d => Reference.SumAxis(d[0], Shape, ax),
            GradCheck.Input(new Random(3 + ax), Shape));
        Assert.Equal(ReducedShape(ax, keepDim), output.ShapeArray());
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(-1, false)]
    public void MeanAlongAxis(int axis, bool keepDim)
    {
        int ax = axis < 0 ? axis + Shape.Length : axis;
        var output = GradCheck.Run(t => Ops.Mean(t[0], axis, keepDim),
            d => Reference.Map(Reference.SumAxis(d[0], Shape, ax), v => v / Shape[ax]),
            GradCheck.Input(new Random(7 + ax), Shape));
        Assert.Equal(ReducedShape(ax, keepDim), output.ShapeArray());
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(2, false)] // innermost axis: the IndexOfMax path
    public void MaxAlongAxis(int axis, bool keepDim)
    {
        var output = GradCheck.Run(t => Ops.Max(t[0], axis, keepDim), d => Reference.ReduceAxis(d[0], Shape, axis, Math.Max),
            GradCheck.Input(new Random(11 + axis), Shape));
        Assert.Equal(ReducedShape(axis, keepDim), output.ShapeArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void MaxSendsTiedGradientToFirstArgmax(int axis)
    {
        // Rows (axis 1) / columns (axis 0) with a repeated maximum: only its first occurrence gets the gradient.
        float[] values = axis == 1 ? [3f, 1f, 3f, 0f, 2f, 2f] : [1f, 5f, 4f, 1f, 5f, 4f];
        var x = Tensor.FromArray(values, axis == 1 ? [2, 3] : [2, 3]);
        x.RequiresGrad = true;
        var m = Ops.Max(x, axis);
        Assert.Equal(axis == 1 ? [3f, 2f] : [1f, 5f, 4f], m.ToArray());
        Ops.Sum(m).Backward();
        Assert.Equal(axis == 1 ? [1f, 0f, 0f, 0f, 1f, 0f] : [1f, 1f, 1f, 0f, 0f, 0f], x.Grad!.ToArray());
    }

    [Fact]
    public void MaxPropagatesNaNOnBothPaths()
    {
        // Innermost axis (IndexOfMax) and outer axis (running comparison) agree: NaN wins and takes the gradient.
        var x = Tensor.FromArray([1f, float.NaN, 5f, 2f, 3f, 4f], 2, 3);
        x.RequiresGrad = true;
        var rows = Ops.Max(x, 1);
        Assert.True(float.IsNaN(rows.ToArray()[0]));
        Assert.Equal(4f, rows.ToArray()[1]);
        Ops.Sum(rows).Backward();
        Assert.Equal([0f, 1f, 0f, 0f, 0f, 1f], x.Grad!.ToArray());

        x.Grad = null;
        var columns = Ops.Max(x, 0);
        Assert.Equal([2f, float.NaN, 5f], columns.ToArray());
        Ops.Sum(columns).Backward();
        Assert.Equal([0f, 1f, 1f, 1f, 0f, 0f], x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(0, false, false)]
    [InlineData(2, false, true)]
    [InlineData(1, true, false)]
    public void VarianceAlongAxis(int axis, bool keepDim, bool unbiased)
    {
        var output = GradCheck.Run(t => Ops.Var(t[0], axis, keepDim, unbiased), d =>
            {
                var mean = Reference.Map(Reference.SumAxis(d[0], Shape, axis), v => v / Shape[axis]);
                var outShape = Shape.Where((_, k) => k != axis).ToArray();
                var squares = new double[mean.Length];
                for (int i = 0; i < d[0].Length; i++)
                {
                    var index = Reference.Unravel(i, Shape).Where((_, k) => k != axis).ToArray();
                    int o = Reference.Ravel(index, outShape);
                    squares[o] += (d[0][i] - mean[o]) * (d[0][i] - mean[o]);
                }
                return Reference.Map(squares, s => s / (unbiased ? Shape[axis] - 1 : Shape[axis]));
            },
            GradCheck.Input(new Random(20 + axis), Shape));
        Assert.Equal(ReducedShape(axis, keepDim), output.ShapeArray());
    }

    [Fact]
    public void InvalidAxisThrows()
    {
        Assert.Throws<ArgumentException>(() => Ops.Sum(Tensor.Zeros(2, 3), 2));
        Assert.Throws<ArgumentException>(() => Ops.Max(Tensor.Zeros(2, 3), -3));
        Assert.Throws<ArgumentException>(() => Ops.Max(Tensor.Zeros(2, 0), 1));
    }

    private static int[] ReducedShape(int axis, bool keepDim) =>
        keepDim ? Shape.Select((d, k) => k == axis ? 1 : d).ToArray() : Shape.Where((_, k) => k != axis).ToArray();
}
