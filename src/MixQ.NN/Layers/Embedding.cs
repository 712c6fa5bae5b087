using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Token embedding table [count, dim], initialised N(0, 1) like PyTorch. Input: integer-valued ids of any
/// shape (stored as floats, as tensors are float32); output: [..ids shape, dim].
/// </summary>
public sealed class Embedding : Module
{
    public Embedding(int count, int dim, Random rng)
    {
        if (count <= 0 || dim <= 0) throw new ArgumentException($"embedding needs a positive size, got {count} x {dim}");
        Count = count;
        Dim = dim;
        Weight = RegisterParameter("weight", Tensor.RandN(rng, 1f, count, dim));
    }

    public int Count { get; }
    public int Dim { get; }
    public Tensor Weight { get; }

    public override Tensor Forward(Tensor ids) => Ops.EmbeddingLookup(Weight, ids);

    /// <summary>Looks up integer ids laid out as <paramref name="shape"/>.</summary>
    public Tensor Forward(int[] ids, params int[] shape) =>
        Forward(Tensor.FromArray(ids.Select(i => (float)i).ToArray(), shape.Length == 0 ? [ids.Length] : shape));
}
