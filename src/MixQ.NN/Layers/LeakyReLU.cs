using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>LeakyReLU: x for x &gt; 0, slope x otherwise.</summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Module
{
    public float NegativeSlope { get; } = negativeSlope;

    public override Tensor Forward(Tensor input) => Ops.LeakyRelu(input, NegativeSlope);
}
