using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Flattens every axis after the batch axis.</summary>
public sealed class Flatten : Module
{
    public override Tensor Forward(Tensor input) => input.Flatten(1);
}
