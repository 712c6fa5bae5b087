using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Flattens every axis from <paramref name="startAxis"/> on into one: [N, C, H, W] -> [N, C*H*W] by default.</summary>
public sealed class Flatten(int startAxis = 1) : Module
{
    public int StartAxis { get; } = startAxis;

    public override Tensor Forward(Tensor input) => input.Flatten(StartAxis);
}
