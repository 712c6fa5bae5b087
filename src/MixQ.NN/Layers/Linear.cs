using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>y = x W^T + b with W [out, in]: each row of W is one output neuron (the row a quantizer formats).</summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, Random rng, bool bias = true)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.DefaultUniform(rng, inFeatures, outFeatures, inFeatures));
        Bias = bias ? RegisterParameter("bias", Init.DefaultUniform(rng, inFeatures, outFeatures)) : null;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => Ops.Linear(input, Weight, Bias);
}
