using MixQ.Hardware.Estimate;
using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Tests.Estimate;

public sealed class ModelShapesTests
{
    [Fact]
    public void LeNet5ShapesMatchTheArchitectureByHand()
    {
        var s = ModelShapes.ForName("lenet5");
        Assert.Equal(5, s.Count);
        // conv 6@5x5 pad 2 on 28x28 -> 28x28; pool -> 14x14; conv 16@5x5 -> 10x10; fc 400-120-84-10.
        Assert.Equal((6, 25, 784L, 784L), (s[0].Rows, s[0].RowLength, s[0].Positions, s[0].InputElements));
        Assert.Equal((16, 150, 100L, 6L * 14 * 14), (s[1].Rows, s[1].RowLength, s[1].Positions, s[1].InputElements));
        Assert.Equal((120, 400, 1L), (s[2].Rows, s[2].RowLength, s[2].Positions));
        Assert.Equal((84, 120, 1L), (s[3].Rows, s[3].RowLength, s[3].Positions));
        Assert.Equal((10, 84, 1L), (s[4].Rows, s[4].RowLength, s[4].Positions));
        Assert.Equal(LayerKind.Conv2d, s[0].Kind);
        Assert.Equal(LayerKind.Linear, s[4].Kind);
        Assert.Equal(6L * 25 * 784 + 16 * 150 * 100 + 400 * 120 + 120 * 84 + 84 * 10, s.Sum(l => l.Macs));
    }

    [Fact]
    public void ResNet20HasTheStridedStagesOfTheCifarResNet()
    {
        var s = ModelShapes.ForName("resnet20");
        Assert.Equal(1 + 18 + 2 + 1, s.Count); // stem, 9 blocks x 2 convs, two projection shortcuts, fc
        Assert.Equal(32L * 32, s[0].Positions);
        Assert.Contains(s, l => l.Rows == 64 && l.RowLength == 64 * 9 && l.Positions == 8 * 8);
        Assert.Contains(s, l => l.Rows == 32 && l.RowLength == 16 && l.Positions == 16 * 16); // 1x1 stride-2 shortcut
        Assert.Equal((10, 64, 1L), (s[^1].Rows, s[^1].RowLength, s[^1].Positions));
    }

    [Fact]
    public void ResNet18ImageNetMatchesThePublishedSizes()
    {
        var s = ModelShapes.ForName("ResNet18");
        Assert.Equal(21, s.Count);
        // He et al. (2016), table 1: 1.8 x 10^9 multiply-adds; torchvision: 11.69 M parameters of which 9,600 are
        // BatchNorm and 1,000 the classifier bias, leaving 11,678,912 conv and fc weights.
        Assert.InRange(s.Sum(l => l.Macs), 1.80e9, 1.83e9);
        Assert.Equal(11_678_912L, s.Sum(l => l.Weights));
        Assert.Equal(112L * 112, s[0].Positions);
        Assert.Equal(3L * 224 * 224, s[0].InputElements);
        Assert.Equal((1000, 512), (s[^1].Rows, s[^1].RowLength));
    }

    [Fact]
    public void UnknownModelIsOneLine() =>
        Assert.Equal("unknown model 'vgg' for shape analysis (expected one of: mlp, jetmlp, lenet5, cifarnet, resnet20, resnet18)",
            Assert.Throws<MixQException>(() => ModelShapes.ForName("vgg")).Message);
}
