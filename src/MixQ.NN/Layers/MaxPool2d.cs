using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Max pooling over NCHW windows (stride defaults to the kernel size).</summary>
public sealed class MaxPool2d(int kernel, int stride = 0, int padding = 0) : Module
{
    public int Kernel { get; } = kernel;
    public int Stride { get; } = stride == 0 ? kernel : stride;
    public int Padding { get; } = padding;
    public override Tensor Forward(Tensor input) => Ops.MaxPool2d(input, Kernel, Stride, Padding);
}
