using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Layer normalisation over the last axis (size <paramref name="normalizedSize"/>), with affine "weight"/"bias".</summary>
public sealed class LayerNorm : Module
{
    public LayerNorm(int normalizedSize, float eps = 1e-5f, bool affine = true)
    {
        if (normalizedSize <= 0) throw new ArgumentOutOfRangeException(nameof(normalizedSize), normalizedSize, "need at least one feature");
        NormalizedSize = normalizedSize;
        Eps = eps;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(normalizedSize));
            Bias = RegisterParameter("bias", Tensor.Zeros(normalizedSize));
        }
    }

    public int NormalizedSize { get; }
    public float Eps { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Dim(-1) != NormalizedSize)
            throw new ArgumentException($"LayerNorm({NormalizedSize}) needs a last axis of {NormalizedSize}, got {ShapeUtil.Format(input.Shape)}");
        return Ops.LayerNorm(input, Weight, Bias, Eps);
    }
}
