using MixQ.NN.Layers;
using MixQ.Tensors;

namespace MixQ.NN.Tests;

public class LayerParameterTests
{
    [Fact]
    public void LinearAndConvUsePyTorchDefaultInitialisationBounds()
    {
        var linear = new Linear(20, 300, new Random(1));
        AssertUniform(linear.Weight.ToArray(), 1 / Math.Sqrt(20));
        AssertUniform(linear.Bias!.ToArray(), 1 / Math.Sqrt(20));

        var conv = new Conv2d(8, 64, 3, new Random(2), groups: 2);   // fan-in = 8/2 * 3 * 3 = 36
        Assert.Equal([64, 4, 3, 3], conv.Weight.ShapeArray());
        AssertUniform(conv.Weight.ToArray(), 1 / 6.0);
    }

    private static void AssertUniform(float[] values, double bound)
    {
        Assert.All(values, v => Assert.InRange(v, -bound, bound));
        // U(-b, b) has standard deviation b / sqrt(3); the sample should be close.
        double std = Math.Sqrt(values.Select(v => (double)v * v).Average());
        Assert.InRange(std / (bound / Math.Sqrt(3)), 0.8, 1.2);
    }

    [Fact]
    public void TheSameSeedGivesTheSameParameters()
    {
        Assert.Equal(new Conv2d(3, 4, 3, new Random(9)).Weight.ToArray(), new Conv2d(3, 4, 3, new Random(9)).Weight.ToArray());
        Assert.NotEqual(new Conv2d(3, 4, 3, new Random(9)).Weight.ToArray(), new Conv2d(3, 4, 3, new Random(10)).Weight.ToArray());
    }

    [Fact]
    public void ParameterNamesNestLikePyTorch()
    {
        var rng = new Random(3);
        var model = new Sequential(new Linear(4, 5, rng), new ReLU(), new Linear(5, 2, rng, bias: false), new BatchNorm1d(2));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "3.weight", "3.bias"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal(["3.running_mean", "3.running_var"], model.NamedBuffers().Select(p => p.Name));

        var block = new Residual(new Conv2d(2, 2, 3, rng, padding: 1), new Conv2d(2, 2, 1, rng));
        Assert.Equal(["body.weight", "body.bias", "shortcut.weight", "shortcut.bias"], block.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void AttentionProjectionsAreDiscoverableLinearLayers()
    {
        var layer = new TransformerEncoderLayer(8, 2, 16, new Random(4));
        var linears = layer.NamedModules().Where(m => m.Module is Linear).Select(m => m.Name).ToList();
        Assert.Equal(["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "linear1", "linear2"], linears);
        Assert.Contains(layer.NamedParameters(), p => p.Name == "self_attn.q_proj.weight");
        Assert.Contains(layer.NamedParameters(), p => p.Name == "norm1.weight");
    }

    [Fact]
    public void LayersRejectInvalidConfigurations()
    {
        var rng = new Random(5);
        Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, rng, groups: 2));
        Assert.Throws<ArgumentException>(() => new MultiHeadSelfAttention(10, 3, rng));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5f, rng));
        Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros(2, 4, 3, 3)));
        Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros(2, 3)));
    }
}
