using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>min(max(0, x), 6): bounded activations suit low-bit fixed-point.</summary>
public sealed class ReLU6 : Module
{
    public override Tensor Forward(Tensor input) => Ops.Relu6(input);
}
