using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>2-D convolution over NCHW input; weight [out, in, kh, kw] (rows = output channels).</summary>
public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, int kernel, Random rng, int stride = 1, int padding = 0, bool bias = true)
    {
        if (kernel < 1 || stride < 1 || padding < 0) throw new ArgumentException("invalid convolution geometry");
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        int fanIn = inChannels * kernel * kernel;
        Weight = RegisterParameter("weight", Init.DefaultUniform(rng, fanIn, outChannels, inChannels, kernel, kernel));
        Bias = bias ? RegisterParameter("bias", Init.DefaultUniform(rng, fanIn, outChannels)) : null;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => Ops.Conv2d(input, Weight, Bias, Stride, Padding);
}
