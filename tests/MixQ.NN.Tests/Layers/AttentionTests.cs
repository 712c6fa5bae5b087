using MixQ.NN.Layers;
using MixQ.Tensors;

namespace MixQ.NN.Tests;

public class AttentionTests
{
    /// <summary>Self-attention written out in doubles: projections, per-head scaled dot products, masked softmax, merge.</summary>
    private static double[] NaiveAttention(double[] x, int batch, int length, int dim, int heads,
        double[][] weights, double[][] biases, bool[]? padded)
    {
        int d = dim / heads;
        double Project(int which, int b, int t, int o)
        {
            double s = biases[which][o];
            for (int i = 0; i < dim; i++) s += x[(b * length + t) * dim + i] * weights[which][o * dim + i];
            return s;
        }
        var q = new double[batch, length, dim];
        var k = new double[batch, length, dim];
        var v = new double[batch, length, dim];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < length; t++)
                for (int o = 0; o < dim; o++)
                {
                    q[b, t, o] = Project(0, b, t, o);
                    k[b, t, o] = Project(1, b, t, o);
                    v[b, t, o] = Project(2, b, t, o);
                }
        var merged = new double[batch, length, dim];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int t = 0; t < length; t++)
                {
                    var scores = new double[length];
                    for (int u = 0; u < length; u++)
                    {
                        double s = 0;
                        for (int e = 0; e < d; e++) s += q[b, t, h * d + e] * k[b, u, h * d + e];
                        scores[u] = padded is not null && padded[b * length + u] ? double.NegativeInfinity : s / Math.Sqrt(d);
                    }
                    double max = scores.Max();
                    var p = scores.Select(s => Math.Exp(s - max)).ToArray();
                    double sum = p.Sum();
                    for (int e = 0; e < d; e++)
                    {
                        double acc = 0;
                        for (int u = 0; u < length; u++) acc += p[u] / sum * v[b, u, h * d + e];
                        merged[b, t, h * d + e] = acc;
                    }
                }
        var output = new double[batch * length * dim];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < length; t++)
                for (int o = 0; o < dim; o++)
                {
                    double s = biases[3][o];
                    for (int i = 0; i < dim; i++) s += merged[b, t, i] * weights[3][o * dim + i];
                    output[(b * length + t) * dim + o] = s;
                }
        return output;
    }

    private static (double[][] W, double[][] B) Parameters(MultiHeadSelfAttention attn)
    {
        var layers = new[] { attn.QueryProjection, attn.KeyProjection, attn.ValueProjection, attn.OutputProjection };
        return (layers.Select(l => l.Weight.ToArray().Select(f => (double)f).ToArray()).ToArray(),
                layers.Select(l => l.Bias!.ToArray().Select(f => (double)f).ToArray()).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OutputMatchesANaiveDoubleImplementation(bool withMask)
    {
        var rng = new Random(withMask ? 2 : 1);
        const int batch = 2, length = 5, dim = 8, heads = 2;
        var attn = new MultiHeadSelfAttention(dim, heads, rng);
        var x = Tensor.RandUniform(rng, -1, 1, batch, length, dim);
        bool[]? padded = withMask ? [false, false, false, false, false, false, false, false, true, true] : null;
        var mask = padded is null ? null : Tensor.FromArray(padded.Select(p => p ? 1f : 0f).ToArray(), batch, length);

        var actual = attn.Forward(x, mask).ToArray();
        var (w, b) = Parameters(attn);
        var expected = NaiveAttention(x.ToArray().Select(f => (double)f).ToArray(), batch, length, dim, heads, w, b, padded);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesOfTheNaiveImplementation()
    {
        var rng = new Random(3);
        const int batch = 2, length = 3, dim = 4, heads = 2;
        var attn = new MultiHeadSelfAttention(dim, heads, rng);
        var x = Tensor.RandUniform(rng, -1, 1, batch, length, dim);
        x.RequiresGrad = true;
        bool[] padded = [false, false, false, false, true, false];
        var mask = Tensor.FromArray(padded.Select(p => p ? 1f : 0f).ToArray(), batch, length);
        var seed = Tensor.RandUniform(rng, -1, 1, batch, length, dim);
        attn.Forward(x, mask).Backward(seed);

        var (w, b) = Parameters(attn);
        var xd = x.ToArray().Select(f => (double)f).ToArray();
        var sd = seed.ToArray();
        double Loss() => NaiveAttention(xd, batch, length, dim, heads, w, b, padded).Select((y, i) => y * sd[i]).Sum();
        void CheckAll(double[] values, float[] analytic, string what)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double keep = values[i];
                values[i] = keep + 1e-6;
                double plus = Loss();
                values[i] = keep - 1e-6;
                double minus = Loss();
                values[i] = keep;
                double numeric = (plus - minus) / 2e-6;
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-3 * (1 + Math.Abs(numeric)), $"{what}[{i}]: autograd {analytic[i]}, numeric {numeric}");
            }
        }
        CheckAll(xd, x.Grad!.ToArray(), "dx");
        var projections = new[] { attn.QueryProjection, attn.KeyProjection, attn.ValueProjection, attn.OutputProjection };
        for (int p = 0; p < 4; p++)
        {
            CheckAll(w[p], projections[p].Weight.Grad!.ToArray(), $"dW{p}");
            CheckAll(b[p], projections[p].Bias!.Grad!.ToArray(), $"db{p}");
        }
    }

    [Fact]
    public void PaddedTokensDoNotInfluenceTheOthers()
    {
        var rng = new Random(4);
        var attn = new MultiHeadSelfAttention(8, 4, rng);
        var x = Tensor.RandUniform(rng, -1, 1, 1, 6, 8);
        var mask = Tensor.FromArray([0f, 0f, 0f, 0f, 1f, 1f], 1, 6);
        var before = attn.Forward(x, mask).ToArray();
        for (int i = 4 * 8; i < 6 * 8; i++) x.Storage[i] = 100f;   // rewrite the padded tokens
        var after = attn.Forward(x, mask).ToArray();
        Assert.Equal(before.AsSpan(0, 4 * 8).ToArray(), after.AsSpan(0, 4 * 8).ToArray());
        Assert.NotEqual(before.AsSpan(4 * 8).ToArray(), after.AsSpan(4 * 8).ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EncoderLayerWiresNormsResidualsAndFeedForward(bool normFirst)
    {
        var rng = new Random(5);
        var layer = new TransformerEncoderLayer(8, 2, 16, rng, dropout: 0.3f, normFirst: normFirst);
        for (int i = 0; i < 8; i++)
        {
            layer.Norm1.Weight!.Storage[i] = 1f + 0.1f * i;
            layer.Norm2.Bias!.Storage[i] = 0.05f * i;
        }
        layer.Eval();
        var x = Tensor.RandUniform(rng, -1, 1, 2, 4, 8);
        Tensor FeedForward(Tensor h) => layer.Linear2.Forward(Ops.Gelu(layer.Linear1.Forward(h)));
        Tensor expected;
        if (normFirst)
        {
            var h = Ops.Add(x, layer.SelfAttention.Forward(layer.Norm1.Forward(x)));
            expected = Ops.Add(h, FeedForward(layer.Norm2.Forward(h)));
        }
        else
        {
            var h = layer.Norm1.Forward(Ops.Add(x, layer.SelfAttention.Forward(x)));
            expected = layer.Norm2.Forward(Ops.Add(h, FeedForward(h)));
        }
        Assert.Equal(expected.ToArray(), layer.Forward(x).ToArray());

        layer.Train();
        Assert.NotEqual(expected.ToArray(), layer.Forward(x).ToArray());   // dropout is active in training
    }

    [Fact]
    public void EncoderLayerBackpropagatesIntoEveryParameter()
    {
        var rng = new Random(6);
        var layer = new TransformerEncoderLayer(8, 2, 16, rng, dropout: 0f);
        var x = Tensor.RandUniform(rng, -1, 1, 2, 4, 8);
        var mask = Tensor.FromArray([0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f], 2, 4);
        Ops.Sum(layer.Forward(x, mask)).Backward(Tensor.Scalar(1f));
        foreach (var (name, p) in layer.NamedParameters())
            Assert.True(p.Grad is not null && p.Grad.ToArray().Any(v => v != 0f), $"{name} got no gradient");
    }
}
