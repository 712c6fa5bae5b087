using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Looks up rows of a [vocabulary, dim] table for integer ids (stored as floats); N(0, 1) initialised.</summary>
public sealed class Embedding : Module
{
    public Embedding(int count, int dim, Random rng)
    {
        Count = count;
        Dim = dim;
        Weight = RegisterParameter("weight", Tensor.RandN(rng, 1f, count, dim));
    }

    public int Count { get; }
    public int Dim { get; }
    public Tensor Weight { get; }

    public override Tensor Forward(Tensor ids) => Ops.EmbeddingLookup(Weight, ids);
}
