using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>ReLU6: min(max(x, 0), 6), the MobileNet activation (bounded, which suits fixed-point ranges).</summary>
public sealed class ReLU6 : Module
{
    public override Tensor Forward(Tensor input) => Ops.Relu6(input);
}
