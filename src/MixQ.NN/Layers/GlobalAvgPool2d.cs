using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Averages each channel over its whole map: [N, C, H, W] to [N, C, 1, 1].</summary>
public sealed class GlobalAvgPool2d : Module
{
    public override Tensor Forward(Tensor input) => Ops.GlobalAvgPool2d(input);
}
