using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// One Transformer encoder block over [B, T, D]: self-attention and a feed-forward network D -> ff -> D with
/// GELU, each wrapped in a residual connection with LayerNorm and dropout.
/// <list type="bullet">
/// <item>Pre-norm (<paramref name="normFirst"/> = true, the default here; trains stably without warm-up):
/// x = x + drop(attn(norm1(x))); x = x + drop(ff(norm2(x))).</item>
/// <item>Post-norm (the original paper and PyTorch's default): x = norm1(x + drop(attn(x)));
/// x = norm2(x + drop(ff(x))).</item>
/// </list>
/// Children: "self_attn", "linear1", "linear2", "norm1", "norm2", "dropout", "dropout1", "dropout2" (PyTorch's names)
/// and "activation" (GELU, parameter-free).
/// </summary>
public sealed class TransformerEncoderLayer : Module
{
    public TransformerEncoderLayer(int modelDim, int heads, int feedForwardDim, Random rng, float dropout = 0.1f, bool normFirst = true)
    {
        NormFirst = normFirst;
        SelfAttention = RegisterModule("self_attn", new MultiHeadSelfAttention(modelDim, heads, rng));
        Linear1 = RegisterModule("linear1", new Linear(modelDim, feedForwardDim, rng));
        Linear2 = RegisterModule("linear2", new Linear(feedForwardDim, modelDim, rng));
        Norm1 = RegisterModule("norm1", new LayerNorm(modelDim));
        Norm2 = RegisterModule("norm2", new LayerNorm(modelDim));
        // Each dropout owns a generator derived from rng, so one seed fixes every mask.
        FeedForwardDropout = RegisterModule("dropout", new Dropout(dropout, new Random(rng.Next())));
        AttentionDropout = RegisterModule("dropout1", new Dropout(dropout, new Random(rng.Next())));
        OutputDropout = RegisterModule("dropout2", new Dropout(dropout, new Random(rng.Next())));
        Activation = RegisterModule("activation", new GELU());
    }

    public bool NormFirst { get; }
    public MultiHeadSelfAttention SelfAttention { get; }
    public Linear Linear1 { get; }
    public Linear Linear2 { get; }
    public LayerNorm Norm1 { get; }
    public LayerNorm Norm2 { get; }
    public Dropout FeedForwardDropout { get; }
    public Dropout AttentionDropout { get; }
    public Dropout OutputDropout { get; }
    public GELU Activation { get; }

    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <param name="input">[B, T, D].</param>
    /// <param name="paddingMask">Optional [B, T]; nonzero marks padding (see <see cref="MultiHeadSelfAttention"/>).</param>
    public Tensor Forward(Tensor input, Tensor? paddingMask)
    {
        var x = input;
        if (NormFirst)
        {
            x = Ops.Add(x, AttentionDropout.Forward(SelfAttention.Forward(Norm1.Forward(x), paddingMask)));
            x = Ops.Add(x, OutputDropout.Forward(FeedForward(Norm2.Forward(x))));
        }
        else
        {
            x = Norm1.Forward(Ops.Add(x, AttentionDropout.Forward(SelfAttention.Forward(x, paddingMask))));
            x = Norm2.Forward(Ops.Add(x, OutputDropout.Forward(FeedForward(x))));
        }
        return x;
    }

    private Tensor FeedForward(Tensor x) => Linear2.Forward(FeedForwardDropout.Forward(Activation.Forward(Linear1.Forward(x))));
}
