using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Max pooling over [N, C, H, W] with square windows; stride defaults to the kernel size.</summary>
public sealed class MaxPool2d(int kernelSize, int stride = 0, int padding = 0) : Module
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride == 0 ? kernelSize : stride;
    public int Padding { get; } = padding;

    public override Tensor Forward(Tensor input) => Ops.MaxPool2d(input, KernelSize, Stride, Padding);
}
