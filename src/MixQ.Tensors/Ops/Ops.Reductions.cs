using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

// Reductions. An axis reduction is the inverse of broadcasting the reduced shape (axis set to 1) back up, so
// sums reuse Broadcast.SumToAccumulate forward and Broadcast.Expand backward: contiguous rows are summed with
// TensorPrimitives.Sum when the axis is innermost, otherwise whole inner slabs are added with TensorPrimitives.Add.
public static partial class Ops
{
    /// <summary>Sum of all elements, as a rank-0 tensor.</summary>
    public static Tensor Sum(Tensor x)
    {
        x = x.Contiguous();
        var result = Tensor.Scalar(TensorPrimitives.Sum(x.Span));
        return Graph.Record("sum", result, [x], g => AccumulateExpand(x, g.Contiguous().Span, []));
    }

    /// <summary>Sum along <paramref name="axis"/> (negative counts from the end); keepDim leaves it as size 1.</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDim = false) => AxisSum("sum_axis", x, axis, keepDim, mean: false);

    /// <summary>Mean of all elements, as a rank-0 tensor (NaN for an empty tensor).</summary>
    public static Tensor Mean(Tensor x)
    {
        x = x.Contiguous();
        float scale = 1f / x.Size;
        var result = Tensor.Scalar(TensorPrimitives.Sum(x.Span) * scale);
        return Graph.Record("mean", result, [x], g =>
        {
            var grad = GradTarget(x, out bool fresh);
            float gs = g.Contiguous().Span[0] * scale;
            if (fresh) grad.Fill(gs);
            else TensorPrimitives.Add(grad, gs, grad);
        });
    }

    /// <summary>Mean along <paramref name="axis"/>.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDim = false) => AxisSum("mean_axis", x, axis, keepDim, mean: true);

    /// <summary>
    /// Maximum along <paramref name="axis"/>. The gradient flows only to the first position holding the maximum
    /// (a NaN counts as the maximum, as in the forward value).
    /// </summary>
    public static Tensor Max(Tensor x, int axis, bool keepDim = false)
    {
        x = x.Contiguous();
        int ax = NormalizeAxis(axis, x.Rank);
        var (outer, n, inner) = SplitAtAxis(x.Shape, ax);
        if (n == 0) throw new ArgumentException($"max over axis {axis} of empty extent in shape {ShapeUtil.Format(x.Shape)}");
        var result = Tensor.Uninitialized(ReducedShape(x.Shape, ax, keepDim));
        var values = result.Span;
        var argmax = new int[outer * inner];
        var xs = x.Span;
        for (int o = 0; o < outer; o++)
        {
            var slab = xs.Slice(o * n * inner, n * inner);
            if (inner == 1)
            {
                int j = TensorPrimitives.IndexOfMax(slab);
                argmax[o] = j;
                values[o] = slab[j];
                continue;
            }
            var best = values.Slice(o * inner, inner);
            var bestAt = argmax.AsSpan(o * inner, inner);
            slab[..inner].CopyTo(best);
            bestAt.Clear();
            for (int j = 1; j < n; j++)
            {
                var row = slab.Slice(j * inner, inner);
                for (int i = 0; i < inner; i++)
                {
                    float v = row[i];
                    if (v > best[i] || (float.IsNaN(v) && !float.IsNaN(best[i])))
                    {
                        best[i] = v;
                        bestAt[i] = j;
                    }
                }
            }
        }
        return Graph.Record("max_axis", result, [x], g =>
        {
            var gs = g.Contiguous().Span;
            var grad = GradAccumulator(x);
            for (int o = 0; o < outer; o++)
            {
                for (int i = 0; i < inner; i++)
                {
                    int k = o * inner + i;
                    grad[(o * n + argmax[k]) * inner + i] += gs[k];
                }
            }
        });
    }

    /// <summary>
    /// Variance along <paramref name="axis"/>: mean((x - mean)^2), times n / (n - 1) when <paramref name="unbiased"/>.
    /// Built from the primitives above, so its gradient 2 (x - mean) / n follows by the chain rule.
    /// </summary>
    public static Tensor Var(Tensor x, int axis, bool keepDim = false, bool unbiased = false)
    {
        int n = x.Dim(axis);
        var centered = Sub(x, Mean(x, axis, keepDim: true));
        var variance = Mean(Square(centered), axis, keepDim);
        return unbiased ? MulScalar(variance, n / (float)(n - 1)) : variance;
    }

    private static Tensor AxisSum(string name, Tensor x, int axis, bool keepDim, bool mean)
    {
        x = x.Contiguous();
        int ax = NormalizeAxis(axis, x.Rank);
        int n = x.Dim(ax);
        var keptShape = ReducedShape(x.Shape, ax, keepDim: true);
        var result = Tensor.Zeros(ReducedShape(x.Shape, ax, keepDim));
        Broadcast.SumToAccumulate(x.Span, x.Shape, result.Span, keptShape);
        float scale = mean ? 1f / n : 1f;
        if (mean) TensorPrimitives.Multiply(result.Span, scale, result.Span);
        return Graph.Record(name, result, [x], g =>
        {
            var gs = g.Contiguous().Span;
            if (!mean)
            {
                AccumulateExpand(x, gs, keptShape);
                return;
            }
            using var scaled = new ScratchBuffer(gs.Length);
            TensorPrimitives.Multiply(gs, scale, scaled.Span);
            AccumulateExpand(x, scaled.Span, keptShape);
        });
    }

    internal static int NormalizeAxis(int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if ((uint)a >= (uint)rank) throw new ArgumentException($"axis {axis} is out of range for rank {rank}");
        return a;
    }

    /// <summary>Views a shape as [outer, n, inner] around <paramref name="axis"/>.</summary>
    internal static (int Outer, int N, int Inner) SplitAtAxis(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        return (outer, shape[axis], inner);
    }

    private static int[] ReducedShape(ReadOnlySpan<int> shape, int axis, bool keepDim)
    {
        if (keepDim)
        {
            var kept = shape.ToArray();
            kept[axis] = 1;
            return kept;
        }
        var reduced = new int[shape.Length - 1];
        for (int d = 0, k = 0; d < shape.Length; d++) if (d != axis) reduced[k++] = shape[d];
        return reduced;
    }
}
