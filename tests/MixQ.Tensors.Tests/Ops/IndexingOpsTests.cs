namespace MixQ.Tensors.Tests;

public class IndexingOpsTests
{
    private static readonly int[] Shape = [3, 4, 5];

    [Theory]
    [InlineData(0, 1, 2)]
    [InlineData(1, 0, 3)]
    [InlineData(2, 2, 3)]
    [InlineData(-1, 4, 1)]
    [InlineData(1, 2, 0)]
    public void Slice(int axis, int start, int length)
    {
        int ax = axis < 0 ? axis + Shape.Length : axis;
        var output = GradCheck.Run(t => Ops.Slice(t[0], axis, start, length),
            d => Reference.Slice(d[0], Shape, ax, start, length), GradCheck.Input(new Random(1), Shape));
        Assert.Equal(length, output.Dim(ax));
    }

    [Fact]
    public void SliceOutOfRangeThrows()
    {
        Assert.Throws<ArgumentException>(() => Ops.Slice(Tensor.Zeros(3, 4), 1, 3, 2));
        Assert.Throws<ArgumentException>(() => Ops.Slice(Tensor.Zeros(3, 4), 0, -1, 1));
    }

    [Fact]
    public void OverlappingSlicesAccumulate()
    {
        // Two slices sharing rows 1..2 of x: those rows collect both gradients.
        var x = GradCheck.Input(new Random(2), 4, 3);
        GradCheck.Run(t => Ops.Add(Ops.Slice(t[0], 0, 0, 3), Ops.Slice(t[0], 0, 1, 3)),
            d => Reference.Broadcast(Reference.Slice(d[0], [4, 3], 0, 0, 3), [3, 3], Reference.Slice(d[0], [4, 3], 0, 1, 3), [3, 3],
                (p, q) => p + q), x);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Concat(int axis)
    {
        var rng = new Random(3);
        int ax = axis < 0 ? axis + 3 : axis;
        int[][] shapes = new[] { 1, 3, 2 }.Select(n => Shape.Select((d, k) => k == ax ? n : d).ToArray()).ToArray();
        var inputs = shapes.Select(s => GradCheck.Input(rng, s)).ToArray();
        var output = GradCheck.Run(t => Ops.Concat(t, axis), d => Reference.Concat(d, shapes, ax), inputs);
        Assert.Equal(6, output.Dim(ax));
    }

    [Fact]
    public void ConcatOfOneTensorTwiceAccumulates()
    {
        var x = GradCheck.Input(new Random(4), 2, 3);
        GradCheck.Run(t => Ops.Concat([t[0], t[0]], 1), d => Reference.Concat([d[0], d[0]], [[2, 3], [2, 3]], 1), x);
    }

    [Fact]
    public void ConcatRejectsMismatchedShapes() =>
        Assert.Throws<ArgumentException>(() => Ops.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(3, 3)], 1));

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Stack(int axis)
    {
        var rng = new Random(5);
        var inputs = new[] { GradCheck.Input(rng, 2, 3), GradCheck.Input(rng, 2, 3) };
        int ax = axis < 0 ? axis + 3 : axis;
        int[] unit = [.. new[] { 2, 3 }[..ax], 1, .. new[] { 2, 3 }[ax..]];
        var output = GradCheck.Run(t => Ops.Stack(t, axis), d => Reference.Concat(d, [unit, unit], ax), inputs);
        Assert.Equal(2, output.Dim(ax));
        Assert.Equal(3, output.Rank);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void IndexSelectWithRepeats(int axis)
    {
        int[] indices = [2, 0, 2, 1];
        var x = GradCheck.Input(new Random(6), Shape);
        var output = GradCheck.Run(t => Ops.IndexSelect(t[0], axis, indices), d =>
            {
                var shapes = indices.Select(_ => Shape.Select((n, k) => k == axis ? 1 : n).ToArray()).ToArray();
                var parts = indices.Select(i => Reference.Slice(d[0], Shape, axis, i, 1)).ToArray();
                return Reference.Concat(parts, shapes, axis);
            }, x);
        Assert.Equal(indices.Length, output.Dim(axis));
    }

    [Fact]
    public void EmbeddingLookupScatterAddsRepeatedIds()
    {
        var rng = new Random(7);
        var table = GradCheck.Input(rng, 5, 3);
        var ids = Tensor.FromArray([4f, 0f, 4f, 2f, 4f, 1f], 2, 3);
        var output = GradCheck.Run(t => Ops.EmbeddingLookup(t[0], t[1]), d =>
            d[1].SelectMany(id => d[0][((int)id * 3)..((int)id * 3 + 3)]).ToArray(), table, ids);
        Assert.Equal([2, 3, 3], output.ShapeArray());

        // Hand check: row 4 is used three times, row 3 never.
        table.Grad = null;
        Ops.Sum(Ops.EmbeddingLookup(table, ids)).Backward();
        var grad = table.Grad!.ToArray();
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0f, 0f, 0f, 3f, 3f, 3f], grad);
    }

    [Theory]
    [InlineData(5f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void EmbeddingLookupRejectsInvalidIds(float id)
    {
        var table = Tensor.Zeros(5, 2);
        Assert.Throws<ArgumentException>(() => Ops.EmbeddingLookup(table, Tensor.FromArray([0f, id], 2)));
    }

    [Fact]
    public void IndexSelectRejectsOutOfRange() =>
        Assert.Throws<ArgumentException>(() => Ops.IndexSelect(Tensor.Zeros(3, 2), 0, [3]));
}
