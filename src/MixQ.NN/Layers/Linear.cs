using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Fully connected layer y = x W^T + b over the last axis: x [..., in] -> [..., out]. Weight [out, in] and
/// bias [out] are initialised like PyTorch (<see cref="ParameterInit.KaimingUniform"/>).
/// </summary>
public sealed class Linear : QuantizableLayer
{
    public Linear(int inFeatures, int outFeatures, Random rng, bool bias = true)
        : this(ParameterInit.KaimingUniform(rng, inFeatures, outFeatures, inFeatures),
               bias ? ParameterInit.FanInUniform(rng, inFeatures, outFeatures) : null)
    {
    }

    /// <summary>A layer over the given parameters (for example weights with a BatchNorm folded in).</summary>
    public Linear(Tensor weight, Tensor? bias)
    {
        if (weight.Rank != 2) throw new ArgumentException($"linear weight must be [out, in], got {ShapeUtil.Format(weight.Shape)}");
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != weight.Dim(0)))
            throw new ArgumentException($"linear bias must be [{weight.Dim(0)}], got {ShapeUtil.Format(bias.Shape)}");
        InFeatures = weight.Dim(1);
        OutFeatures = weight.Dim(0);
        Weight = RegisterParameter("weight", weight);
        if (bias is not null) Bias = RegisterParameter("bias", bias);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public override Tensor Weight { get; }
    public override Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => Ops.Linear(QuantizeInput(input), EffectiveWeight(), Bias);
}
