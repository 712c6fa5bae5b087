using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>x for x &gt; 0, slope * x otherwise.</summary>
public sealed class LeakyReLU(float slope = 0.01f) : Module
{
    public float Slope { get; } = slope;
    public override Tensor Forward(Tensor input) => Ops.LeakyRelu(input, Slope);
}
