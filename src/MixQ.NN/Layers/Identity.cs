using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Returns its input: the stand-in for a layer that model surgery removed (e.g. a folded BatchNorm).</summary>
public sealed class Identity : Module
{
    public override Tensor Forward(Tensor input) => input;
}
