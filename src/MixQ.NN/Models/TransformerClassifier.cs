using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Models;

/// <summary>
/// Sentence classifier: token embeddings plus learned position embeddings, pre-norm encoder layers, a final
/// LayerNorm, mean pooling over non-padding tokens (id 0 is padding), and a linear head. Input: [N, T] token ids.
/// </summary>
public sealed class TransformerClassifier : Module
{
    private readonly TransformerEncoderLayer[] _layers;

    public TransformerClassifier(int vocabSize, int sequenceLength, int classes, int dModel, int heads, int feedForward,
        int layers, float dropout, Random rng)
    {
        Tokens = RegisterModule("tokens", new Embedding(vocabSize, dModel, rng));
        Positions = RegisterParameter("positions", Tensor.RandN(rng, 0.02f, sequenceLength, dModel));
        _layers = new TransformerEncoderLayer[layers];
        for (int i = 0; i < layers; i++)
            _layers[i] = RegisterModule($"layers.{i}", new TransformerEncoderLayer(dModel, heads, feedForward, rng, dropout));
        Norm = RegisterModule("norm", new LayerNorm(dModel));
        Head = RegisterModule("head", new Linear(dModel, classes, rng));
    }

    public Embedding Tokens { get; }
    public Tensor Positions { get; }
    public LayerNorm Norm { get; }
    public Linear Head { get; }

    public override Tensor Forward(Tensor ids)
    {
        int n = ids.Dim(0), t = ids.Dim(1);
        var idSpan = ids.Contiguous().Span;
        var keep = new float[n * t];
        var padding = new float[n * t];
        var counts = new float[n];
        for (int i = 0; i < n * t; i++)
        {
            bool token = idSpan[i] != 0f;
            keep[i] = token ? 1f : 0f;
            padding[i] = token ? 0f : 1f;
            if (token) counts[i / t]++;
        }
        for (int i = 0; i < n; i++) counts[i] = Math.Max(counts[i], 1f); // an empty sentence pools to zeros

        var x = Ops.Add(Tokens.Forward(ids), Positions); // [N, T, D] + [T, D]
        var mask = Tensor.Wrap(padding, n, t);
        foreach (var layer in _layers) x = layer.Forward(x, mask);
        x = Norm.Forward(x);
        var pooled = Ops.Div(Ops.Sum(Ops.Mul(x, Tensor.Wrap(keep, n, t, 1)), 1), Tensor.Wrap(counts, n, 1));
        return Head.Forward(pooled);
    }
}
