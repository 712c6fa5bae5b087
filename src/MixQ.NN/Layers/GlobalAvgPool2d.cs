using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Mean over the spatial axes: [N, C, H, W] -> [N, C] (already flat, ready for a Linear head).</summary>
public sealed class GlobalAvgPool2d : Module
{
    public override Tensor Forward(Tensor input) => Ops.GlobalAvgPool2d(input);
}
