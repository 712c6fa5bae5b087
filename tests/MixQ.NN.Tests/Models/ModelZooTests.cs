using MixQ.NN.Data;
using MixQ.NN.Models;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.NN.Tests.Models;

public sealed class ModelZooTests
{
    // Parameter counts worked out by hand from the architectures (weights + biases + BatchNorm affine terms):
    // mlp: 784*256+256 + 256*128+128 + 128*10+10. lenet5: (6*25+6) + (16*150+16) + (400*120+120) + (120*84+84) + (84*10+10).
    // cifarnet: 3x3 kernels 3*32+32*32+32*64+64*64+64*128 times 9, BN 2*(32+32+64+64+128), fc 2048*10+10.
    // resnet20 (1x1 projection shortcuts): 432+32 stem, 3*(2*2304+64) stage 1, stage 2 51,648, stage 3 205,696, fc 650.
    [Theory]
    [InlineData("mlp", new[] { 1, 28, 28 }, 235_146)]
    [InlineData("jetmlp", new[] { 1, 28, 28 }, 784 * 64 + 64 + 64 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10)]
    [InlineData("lenet5", new[] { 1, 28, 28 }, 61_706)]
    [InlineData("cifarnet", new[] { 3, 32, 32 }, 160_234)]
    [InlineData("resnet20", new[] { 3, 32, 32 }, 272_474)]
    public void ParameterCountsMatchTheArchitecture(string name, int[] shape, long expected)
    {
        var model = ModelZoo.Create(new ModelSpec(name, shape, 10), new Random(0));
        Assert.Equal(expected, model.ParameterCount());
    }

    [Theory]
    [InlineData("mlp", new[] { 1, 28, 28 })]
    [InlineData("lenet5", new[] { 1, 28, 28 })]
    [InlineData("cifarnet", new[] { 3, 32, 32 })]
    [InlineData("resnet20", new[] { 3, 32, 32 })]
    public void ForwardGivesOneRowOfLogitsPerSample(string name, int[] shape)
    {
        var model = ModelZoo.Create(new ModelSpec(name, shape, 10), new Random(0));
        model.Eval();
        using var _ = GradMode.NoGrad();
        var y = model.Forward(Tensor.RandN(new Random(1), 1f, [3, .. shape]));
        Assert.Equal([3, 10], y.ShapeArray());
        Assert.All(y.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void TransformerIgnoresPaddingTokens()
    {
        var spec = new ModelSpec("transformer", [6], 2, VocabSize: 20);
        var model = ModelZoo.Create(spec, new Random(0));
        model.Eval();
        using var _ = GradMode.NoGrad();
        // The same sentence padded differently must give the same logits: padding is masked in attention and pooling
        // (positions differ only for padding slots, which never contribute).
        var a = model.Forward(Tensor.FromArray([5, 7, 9, 0, 0, 0], 1, 6)).ToArray();
        var b = model.Forward(Tensor.FromArray([5, 7, 9, 0, 0, 0, 5, 7, 9, 0, 0, 0], 2, 6)).ToArray();
        for (int i = 0; i < 2; i++) Assert.Equal(a[i], b[i], 5);
        Assert.Equal(b[0], b[2], 5);
    }

    [Fact]
    public void SpecRoundTripsThroughJson()
    {
        var spec = new ModelSpec("lenet5", [1, 28, 28], 10);
        Assert.Equal(spec, ModelSpec.FromJson(spec.ToJson(), "test"));
    }

    [Fact]
    public void IncompatibleDataIsRejectedWithAClearMessage()
    {
        var cifarShaped = new Dataset("tiny", new float[2 * 3 * 32 * 32], [0, 1], [3, 32, 32], 10, DatasetKind.Image);
        var e = Assert.Throws<MixQException>(() => ModelZoo.SpecFor("lenet5", cifarShaped));
        Assert.Contains("28x28", e.Message);
        Assert.Throws<MixQException>(() => ModelZoo.SpecFor("nosuchnet", cifarShaped));
    }
}
