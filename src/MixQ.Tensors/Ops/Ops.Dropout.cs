using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout: in training each element is zeroed with probability <paramref name="p"/> and the
    /// survivors are scaled by 1/(1-p), so evaluation (which returns the input unchanged) needs no rescaling.
    /// The mask is drawn from <paramref name="rng"/> in element order, so a seeded generator reproduces it.
    /// </summary>
    public static Tensor Dropout(Tensor input, float p, bool training, Random rng)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        if (!training || p == 0f) return input;
        var x = input.Contiguous();
        // Activation-sized, every step: a pooled buffer the graph gives back on release (as MaxPool2d's positions).
        var mask = Graph.RentSaved(x.Size);
        if (p < 1f)
        {
            float keepScale = 1f / (1f - p);
            for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextSingle() >= p ? keepScale : 0f;
        }
        else mask.AsSpan().Clear();
        var y = Tensor.Uninitialized(x.ShapeArray());
        TensorPrimitives.Multiply(x.Span, mask, y.Span);
        return Graph.Record("dropout", y, [x], g =>
        {
            var gy = g.Contiguous();
            WriteGrad(x, (dx, dxo) => TensorPrimitives.Multiply(gy.Span, mask, dx.AsSpan(dxo, mask.Length)));
        }, mask);
    }
}
