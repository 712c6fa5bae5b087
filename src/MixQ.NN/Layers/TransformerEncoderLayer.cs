using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// A pre-norm transformer encoder layer: x + Dropout(Attention(LN(x))), then x + Dropout(FF(LN(x))) with
/// FF = Linear(D, F), GELU, Linear(F, D). Pre-norm trains stably without learning-rate warm-up tricks.
/// </summary>
public sealed class TransformerEncoderLayer : Module
{
    public TransformerEncoderLayer(int dModel, int heads, int feedForward, float dropout, Random rng)
    {
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel));
        Attention = RegisterModule("attn", new MultiHeadSelfAttention(dModel, heads, rng));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel));
        FeedForward1 = RegisterModule("ff1", new Linear(dModel, feedForward, rng));
        Activation = RegisterModule("act", new GELU());
        FeedForward2 = RegisterModule("ff2", new Linear(feedForward, dModel, rng));
        Drop = RegisterModule("drop", new Dropout(dropout, rng.Next()));
    }

    public LayerNorm Norm1 { get; }
    public MultiHeadSelfAttention Attention { get; }
    public LayerNorm Norm2 { get; }
    public Linear FeedForward1 { get; }
    public GELU Activation { get; }
    public Linear FeedForward2 { get; }
    public Dropout Drop { get; }

    public override Tensor Forward(Tensor input) => Forward(input, null);

    public Tensor Forward(Tensor input, Tensor? additiveMask)
    {
        var x = Ops.Add(input, Drop.Forward(Attention.Forward(Norm1.Forward(input), additiveMask)));
        var ff = FeedForward2.Forward(Activation.Forward(FeedForward1.Forward(Norm2.Forward(x))));
        return Ops.Add(x, Drop.Forward(ff));
    }
}
