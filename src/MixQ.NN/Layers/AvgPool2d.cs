using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Average pooling over [N, C, H, W] with square windows; stride defaults to the kernel size. With
/// <paramref name="countIncludePad"/> (PyTorch's default) padded zeros count in the divisor.
/// </summary>
public sealed class AvgPool2d(int kernelSize, int stride = 0, int padding = 0, bool countIncludePad = true) : Module
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride == 0 ? kernelSize : stride;
    public int Padding { get; } = padding;
    public bool CountIncludePad { get; } = countIncludePad;

    public override Tensor Forward(Tensor input) => Ops.AvgPool2d(input, KernelSize, Stride, Padding, CountIncludePad);
}
