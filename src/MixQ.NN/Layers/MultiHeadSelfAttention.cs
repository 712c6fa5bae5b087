using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Multi-head scaled dot-product self-attention over [N, T, D]: softmax(Q K^T / sqrt(D/H) + mask) V per head,
/// with Q, K, V and output projections as <see cref="Linear"/> layers so that row-wise quantizers treat them like
/// any other weight matrix.
/// </summary>
public sealed class MultiHeadSelfAttention : Module
{
    public MultiHeadSelfAttention(int dModel, int heads, Random rng)
    {
        if (heads < 1 || dModel % heads != 0) throw new ArgumentException($"d_model {dModel} is not divisible by {heads} heads");
        DModel = dModel;
        Heads = heads;
        Query = RegisterModule("q", new Linear(dModel, dModel, rng));
        Key = RegisterModule("k", new Linear(dModel, dModel, rng));
        Value = RegisterModule("v", new Linear(dModel, dModel, rng));
        Output = RegisterModule("out", new Linear(dModel, dModel, rng));
    }

    public int DModel { get; }
    public int Heads { get; }
    public Linear Query { get; }
    public Linear Key { get; }
    public Linear Value { get; }
    public Linear Output { get; }

    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <param name="additiveMask">Optional [N, 1, T] tensor added to every head's scores (e.g. a large negative
    /// value at padding keys).</param>
    public Tensor Forward(Tensor input, Tensor? additiveMask)
    {
        int n = input.Dim(0), t = input.Dim(1), d = input.Dim(2);
        if (d != DModel) throw new ArgumentException($"attention with d_model {DModel} got input {ShapeUtil.Format(input.Shape)}");
        int dh = d / Heads;
        Tensor SplitHeads(Tensor x) => x.Reshape(n, t, Heads, dh).Permute(0, 2, 1, 3).Reshape(n * Heads, t, dh);
        var q = SplitHeads(Query.Forward(input));
        var k = SplitHeads(Key.Forward(input));
        var v = SplitHeads(Value.Forward(input));
        var scores = Ops.MulScalar(Ops.MatMul(q, k, transB: true), 1f / MathF.Sqrt(dh)); // [N*H, T, T]
        if (additiveMask is not null)
            scores = Ops.Add(scores.Reshape(n, Heads, t, t), additiveMask.Reshape(n, 1, 1, t)).Reshape(n * Heads, t, t);
        var attention = Ops.Softmax(scores, -1);
        var context = Ops.MatMul(attention, v); // [N*H, T, dh]
        var merged = context.Reshape(n, Heads, t, dh).Permute(0, 2, 1, 3).Reshape(n, t, d);
        return Output.Forward(merged);
    }
}
