using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Multi-head self-attention over [B, T, D] (Vaswani et al.): per head h with width d = D / heads,
/// head_h = softmax(Q_h K_h^T / sqrt(d) + mask) V_h, and the heads are concatenated and projected:
/// out = concat(head_1..head_H) W_o^T + b_o, with Q = x W_q^T + b_q etc.
/// The four projections are ordinary <see cref="Linear"/> children "q_proj", "k_proj", "v_proj", "out_proj"
/// so that quantisers and checkpoints find them like any other Linear.
/// <para>
/// Padding mask: [B, T] with a nonzero entry where a token is padding; padded positions are never attended to
/// (their scores get -1e9 before the softmax — finite, so a fully padded row yields a uniform average instead of
/// NaN). Outputs at padded query positions are computed but meaningless.
/// </para>
/// </summary>
public sealed class MultiHeadSelfAttention : Module
{
    /// <summary>Added to the scores of padded keys: exp underflows to exactly 0 after the max subtraction.</summary>
    public const float MaskedScore = -1e9f;

    public MultiHeadSelfAttention(int modelDim, int heads, Random rng, bool bias = true)
    {
        if (heads <= 0 || modelDim <= 0 || modelDim % heads != 0)
            throw new ArgumentException($"model width {modelDim} must be a positive multiple of the head count {heads}");
        ModelDim = modelDim;
        Heads = heads;
        HeadDim = modelDim / heads;
        QueryProjection = RegisterModule("q_proj", new Linear(modelDim, modelDim, rng, bias));
        KeyProjection = RegisterModule("k_proj", new Linear(modelDim, modelDim, rng, bias));
        ValueProjection = RegisterModule("v_proj", new Linear(modelDim, modelDim, rng, bias));
        OutputProjection = RegisterModule("out_proj", new Linear(modelDim, modelDim, rng, bias));
    }

    public int ModelDim { get; }
    public int Heads { get; }
    public int HeadDim { get; }
    public Linear QueryProjection { get; }
    public Linear KeyProjection { get; }
    public Linear ValueProjection { get; }
    public Linear OutputProjection { get; }

    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <param name="input">[B, T, D].</param>
    /// <param name="paddingMask">Optional [B, T]; nonzero marks a padded token that must not be attended to.</param>
    public Tensor Forward(Tensor input, Tensor? paddingMask)
    {
        if (input.Rank != 3 || input.Dim(2) != ModelDim)
            throw new ArgumentException($"self-attention expects [B, T, {ModelDim}], got {ShapeUtil.Format(input.Shape)}");
        int batch = input.Dim(0), length = input.Dim(1);

        // The 1/sqrt(d) scale goes on Q ([B, T, D]) rather than on the [B*H, T, T] scores: same product, fewer elements.
        var q = SplitHeads(Ops.MulScalar(QueryProjection.Forward(input), 1f / MathF.Sqrt(HeadDim)), batch, length);
        var k = SplitHeads(KeyProjection.Forward(input), batch, length);
        var v = SplitHeads(ValueProjection.Forward(input), batch, length);

        var scores = Ops.MatMul(q, k, transB: true);                       // [B*H, T, T]
        if (paddingMask is not null)
        {
            var bias = MaskBias(paddingMask, batch, length);               // [B, 1, 1, T]
            scores = Ops.Add(scores.Reshape(batch, Heads, length, length), bias).Reshape(batch * Heads, length, length);
        }
        var weights = Ops.Softmax(scores);
        var context = Ops.MatMul(weights, v);                              // [B*H, T, d]
        var merged = context.Reshape(batch, Heads, length, HeadDim).Permute(0, 2, 1, 3).Reshape(batch, length, ModelDim);
        return OutputProjection.Forward(merged);
    }

    /// <summary>[B, T, D] -> [B*H, T, d]: heads become batch entries for the batched matrix products.</summary>
    private Tensor SplitHeads(Tensor x, int batch, int length) =>
        x.Reshape(batch, length, Heads, HeadDim).Permute(0, 2, 1, 3).Reshape(batch * Heads, length, HeadDim);

    private static Tensor MaskBias(Tensor paddingMask, int batch, int length)
    {
        if (paddingMask.Rank != 2 || paddingMask.Dim(0) != batch || paddingMask.Dim(1) != length)
            throw new ArgumentException($"padding mask must be [{batch}, {length}], got {ShapeUtil.Format(paddingMask.Shape)}");
        var mask = paddingMask.Contiguous().Span;
        var bias = new float[batch * length];
        for (int i = 0; i < bias.Length; i++) bias[i] = mask[i] != 0f ? MaskedScore : 0f;
        return Tensor.FromArray(bias, batch, 1, 1, length);
    }
}
