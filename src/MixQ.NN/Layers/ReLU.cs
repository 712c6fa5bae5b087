using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Rectified linear unit max(x, 0).</summary>
public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor input) => Ops.Relu(input);
}
