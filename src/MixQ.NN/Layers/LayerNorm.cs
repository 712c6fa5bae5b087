using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Normalizes over the last axis, then applies a learned per-feature scale and shift.</summary>
public sealed class LayerNorm : Module
{
    public LayerNorm(int features, float eps = 1e-5f)
    {
        Eps = eps;
        Weight = RegisterParameter("weight", Tensor.Ones(features));
        Bias = RegisterParameter("bias", Tensor.Zeros(features));
    }

    public float Eps { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }

    public override Tensor Forward(Tensor input) => Ops.LayerNorm(input, Weight, Bias, Eps);
}
