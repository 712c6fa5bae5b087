using MixQ.NN.Layers;
using MixQ.NN.Modules;

namespace MixQ.NN.Models;

/// <summary>The zoo's architectures, built from layers with an explicit random generator.</summary>
internal static class Architectures
{
    /// <summary>Flatten, then Linear+ReLU per hidden width, then a Linear classifier.</summary>
    public static Module Mlp(ModelSpec spec, int[] hidden, Random rng)
    {
        var layers = new List<Module> { new Flatten() };
        int width = spec.InputShape.Aggregate(1, (a, b) => a * b);
        foreach (int h in hidden)
        {
            layers.Add(new Linear(width, h, rng));
            layers.Add(new ReLU());
            width = h;
        }
        layers.Add(new Linear(width, spec.NumClasses, rng));
        return new Sequential([.. layers]);
    }

    /// <summary>LeNet-5 for 28x28 inputs: conv 6@5x5 pad 2, pool, conv 16@5x5, pool, 400-120-84-classes.</summary>
    public static Module LeNet5(ModelSpec spec, Random rng) => new Sequential(
        new Conv2d(spec.InputShape[0], 6, 5, rng, padding: 2), new ReLU(), new MaxPool2d(2),
        new Conv2d(6, 16, 5, rng), new ReLU(), new MaxPool2d(2),
        new Flatten(),
        new Linear(400, 120, rng), new ReLU(),
        new Linear(120, 84, rng), new ReLU(),
        new Linear(84, spec.NumClasses, rng));

    /// <summary>
    /// A VGG-style CIFAR network: 3x3 convolutions without bias, each followed by BatchNorm and ReLU:
    /// 32, 32, pool, 64, 64, pool, 128, pool, then a 2048-classes classifier.
    /// </summary>
    public static Module CifarNet(ModelSpec spec, Random rng)
    {
        int c = spec.InputShape[0];
        return new Sequential(
            ConvBnRelu(c, 32, 1, rng), ConvBnRelu(32, 32, 1, rng), new MaxPool2d(2),
            ConvBnRelu(32, 64, 1, rng), ConvBnRelu(64, 64, 1, rng), new MaxPool2d(2),
            ConvBnRelu(64, 128, 1, rng), new MaxPool2d(2),
            new Flatten(),
            new Linear(128 * 4 * 4, spec.NumClasses, rng));
    }

    /// <summary>
    /// ResNet-20 for CIFAR (He et al. 2016, section 4.2): a 3x3 conv with 16 channels, then three stages of three
    /// basic blocks with 16, 32 and 64 channels (stride 2 at the start of stages 2 and 3), global average pooling
    /// and a linear classifier. Design choice: the down-sampling shortcuts are 1x1 convolutions with BatchNorm
    /// (option B) rather than zero-padded identities (option A); that adds 2,816 weights to the 0.27 M.
    /// </summary>
    public static Module ResNet20(ModelSpec spec, Random rng)
    {
        var layers = new List<Module> { ConvBnRelu(spec.InputShape[0], 16, 1, rng) };
        int inChannels = 16;
        foreach (var (channels, stride) in new[] { (16, 1), (32, 2), (64, 2) })
        {
            for (int block = 0; block < 3; block++)
            {
                layers.Add(BasicBlock(inChannels, channels, block == 0 ? stride : 1, rng));
                inChannels = channels;
            }
        }
        layers.Add(new GlobalAvgPool2d());
        layers.Add(new Flatten());
        layers.Add(new Linear(64, spec.NumClasses, rng));
        return new Sequential([.. layers]);
    }

    /// <summary>
    /// A small transformer encoder for sentence classification: token + learned position embeddings (d = 64),
    /// two pre-norm encoder layers (4 heads, feed-forward 128), mean pooling over non-padding tokens, linear head.
    /// </summary>
    public static Module TransformerClassifier(ModelSpec spec, Random rng) =>
        new TransformerClassifier(spec.VocabSize, spec.InputShape[0], spec.NumClasses, dModel: 64, heads: 4,
            feedForward: 128, layers: 2, dropout: 0.1f, rng);

    private static Module ConvBnRelu(int inChannels, int outChannels, int stride, Random rng) => new Sequential(
        new Conv2d(inChannels, outChannels, 3, rng, stride: stride, padding: 1, bias: false),
        new BatchNorm2d(outChannels),
        new ReLU());

    private static Module BasicBlock(int inChannels, int outChannels, int stride, Random rng)
    {
        var body = new Sequential(
            new Conv2d(inChannels, outChannels, 3, rng, stride: stride, padding: 1, bias: false),
            new BatchNorm2d(outChannels),
            new ReLU(),
            new Conv2d(outChannels, outChannels, 3, rng, stride: 1, padding: 1, bias: false),
            new BatchNorm2d(outChannels));
        Module? shortcut = stride != 1 || inChannels != outChannels
            ? new Sequential(new Conv2d(inChannels, outChannels, 1, rng, stride: stride, bias: false), new BatchNorm2d(outChannels))
            : null;
        return new Sequential(new Residual(body, shortcut), new ReLU());
    }
}
