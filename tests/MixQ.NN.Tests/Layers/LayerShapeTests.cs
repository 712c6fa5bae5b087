using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Tests;

public class LayerShapeTests
{
    private static int[] ShapeOf(Module layer, params int[] inputShape) =>
        layer.Forward(Tensor.RandUniform(new Random(1), -1, 1, inputShape)).ShapeArray();

    [Fact]
    public void EachLayerProducesTheExpectedShape()
    {
        var rng = new Random(2);
        Assert.Equal([4, 5], ShapeOf(new Linear(3, 5, rng), 4, 3));
        Assert.Equal([2, 6, 5], ShapeOf(new Linear(3, 5, rng), 2, 6, 3));
        Assert.Equal([2, 8, 5, 5], ShapeOf(new Conv2d(3, 8, 3, rng, stride: 2, padding: 1), 2, 3, 9, 9));
        Assert.Equal([2, 6, 7, 7], ShapeOf(new Conv2d(4, 6, 3, rng, padding: 1, groups: 2), 2, 4, 7, 7));
        Assert.Equal([4, 5], ShapeOf(new BatchNorm1d(5), 4, 5));
        Assert.Equal([4, 5, 7], ShapeOf(new BatchNorm1d(5), 4, 5, 7));
        Assert.Equal([2, 3, 4, 4], ShapeOf(new BatchNorm2d(3), 2, 3, 4, 4));
        Assert.Equal([2, 7], ShapeOf(new ReLU(), 2, 7));
        Assert.Equal([2, 7], ShapeOf(new ReLU6(), 2, 7));
        Assert.Equal([2, 7], ShapeOf(new LeakyReLU(0.1f), 2, 7));
        Assert.Equal([2, 7], ShapeOf(new GELU(), 2, 7));
        Assert.Equal([1, 2, 4, 3], ShapeOf(new MaxPool2d(2), 1, 2, 8, 6));
        Assert.Equal([1, 2, 4, 4], ShapeOf(new MaxPool2d(3, 2, 1), 1, 2, 7, 7));
        Assert.Equal([1, 2, 4, 4], ShapeOf(new AvgPool2d(3, 2, 1), 1, 2, 7, 7));
        Assert.Equal([2, 3], ShapeOf(new GlobalAvgPool2d(), 2, 3, 5, 4));
        Assert.Equal([2, 60], ShapeOf(new Flatten(), 2, 3, 4, 5));
        Assert.Equal([2, 3, 20], ShapeOf(new Flatten(2), 2, 3, 4, 5));
        Assert.Equal([3, 4], ShapeOf(new Dropout(0.5f, rng), 3, 4));
        Assert.Equal([2, 3, 6], ShapeOf(new LayerNorm(6), 2, 3, 6));
        Assert.Equal([2, 5, 8], ShapeOf(new MultiHeadSelfAttention(8, 2, rng), 2, 5, 8));
        Assert.Equal([2, 5, 8], ShapeOf(new TransformerEncoderLayer(8, 2, 16, rng), 2, 5, 8));
        Assert.Equal([2, 5, 8], new Embedding(10, 8, rng).Forward([1, 2, 3, 4, 5, 6, 7, 8, 9, 0], 2, 5).ShapeArray());
    }

    [Fact]
    public void ASmallCnnTrainsEndToEndAndEveryParameterGetsAGradient()
    {
        var rng = new Random(3);
        var model = new Sequential(
            new Conv2d(1, 4, 3, rng, padding: 1, bias: false), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
            new Residual(new Sequential(new Conv2d(4, 4, 3, rng, padding: 1), new BatchNorm2d(4))), new ReLU(),
            new Residual(
                new Sequential(new Conv2d(4, 8, 3, rng, stride: 2, padding: 1), new BatchNorm2d(8), new ReLU6()),
                new Sequential(new Conv2d(4, 8, 1, rng, stride: 2), new BatchNorm2d(8))),
            new GlobalAvgPool2d(), new Dropout(0.2f, rng), new Linear(8, 10, rng));
        var x = Tensor.RandUniform(rng, -1, 1, 3, 1, 8, 8);
        var logits = model.Forward(x);
        Assert.Equal([3, 10], logits.ShapeArray());
        Ops.SoftmaxCrossEntropy(logits, [1, 5, 9]).Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name} got no gradient");
            Assert.Contains(p.Grad!.ToArray(), v => v != 0f);
        }
    }

    [Fact]
    public void ResidualRejectsMismatchedShapesWithAHint()
    {
        var rng = new Random(4);
        var block = new Residual(new Conv2d(2, 3, 1, rng));
        var ex = Assert.Throws<ArgumentException>(() => block.Forward(Tensor.Zeros(1, 2, 4, 4)));
        Assert.Contains("projection", ex.Message);
    }

    [Fact]
    public void ResidualAddsTheShortcut()
    {
        var rng = new Random(5);
        var body = new Linear(3, 3, rng);
        var x = Tensor.RandUniform(rng, -1, 1, 2, 3);
        var expected = Ops.Add(body.Forward(x), x).ToArray();
        Assert.Equal(expected, new Residual(body).Forward(x).ToArray());
    }

    [Fact]
    public void EmbeddingLooksUpRows()
    {
        var emb = new Embedding(6, 4, new Random(6));
        var y = emb.Forward([5, 0, 5], 3).ToArray();
        var table = emb.Weight.ToArray();
        Assert.Equal(table.AsSpan(20, 4).ToArray(), y.AsSpan(0, 4).ToArray());
        Assert.Equal(table.AsSpan(0, 4).ToArray(), y.AsSpan(4, 4).ToArray());
        Assert.Equal(table.AsSpan(20, 4).ToArray(), y.AsSpan(8, 4).ToArray());
    }

    [Fact]
    public void DropoutLayerIsIdentityInEvaluation()
    {
        var drop = new Dropout(0.5f, new Random(7));
        var x = Tensor.Ones(20, 20);
        Assert.Contains(drop.Forward(x).ToArray(), v => v == 0f);
        drop.Eval();
        Assert.Same(x, drop.Forward(x));
    }

    [Fact]
    public void LayerNormNormalisesTheLastAxis()
    {
        var y = new LayerNorm(16).Forward(Tensor.RandUniform(new Random(8), 2, 5, 3, 16)).ToArray();
        for (int r = 0; r < 3; r++)
        {
            var row = y.AsSpan(r * 16, 16).ToArray();
            Assert.InRange(row.Average(), -1e-5, 1e-5);
            Assert.InRange(row.Select(v => v * v).Average(), 0.999, 1.0);
        }
    }
}
