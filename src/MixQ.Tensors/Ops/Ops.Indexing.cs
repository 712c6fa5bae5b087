using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Tensors;

// Copying index ops. Each views its tensors as [outer, n, inner] around the axis, so the data moves as
// contiguous blocks of (count * inner) elements per outer index.
public static partial class Ops
{
    /// <summary>Elements start .. start + length - 1 along <paramref name="axis"/> (a copy, not a view).</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        x = x.Contiguous();
        int ax = NormalizeAxis(axis, x.Rank);
        var (outer, n, inner) = SplitAtAxis(x.Shape, ax);
        if (start < 0 || length < 0 || start + length > n)
            throw new ArgumentException($"slice [{start}, {start + length}) is outside axis {axis} of length {n}");
        var shape = x.ShapeArray();
        shape[ax] = length;
        var result = Tensor.Uninitialized(shape);
        int block = length * inner;
        var xs = x.Span;
        var ys = result.Span;
        for (int o = 0; o < outer; o++) xs.Slice((o * n + start) * inner, block).CopyTo(ys.Slice(o * block, block));
        return Graph.Record("slice", result, [x], g =>
        {
            var gs = g.Contiguous().Span;
            var grad = GradAccumulator(x);
            for (int o = 0; o < outer; o++)
            {
                var dst = grad.Slice((o * n + start) * inner, block);
                TensorPrimitives.Add(dst, gs.Slice(o * block, block), dst);
            }
        });
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; all other dimensions must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        if (tensors.Count == 0) throw new ArgumentException("concat needs at least one tensor");
        var parts = new Tensor[tensors.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = tensors[i].Contiguous();
        int rank = parts[0].Rank;
        int ax = NormalizeAxis(axis, rank);
        var shape = parts[0].ShapeArray();
        shape[ax] = 0;
        foreach (var p in parts)
        {
            bool compatible = p.Rank == rank;
            for (int d = 0; compatible && d < rank; d++) compatible = d == ax || p.Dim(d) == shape[d];
            if (!compatible)
                throw new ArgumentException($"cannot concat {ShapeUtil.Format(p.Shape)} with {ShapeUtil.Format(parts[0].Shape)} along axis {axis}");
            shape[ax] += p.Dim(ax);
        }
        var result = Tensor.Uninitialized(shape);
        var (outer, total, inner) = SplitAtAxis(shape, ax);
        var ys = result.Span;
        int offset = 0;
        foreach (var p in parts)
        {
            int block = p.Dim(ax) * inner;
            var ps = p.Span;
            for (int o = 0; o < outer; o++) ps.Slice(o * block, block).CopyTo(ys.Slice(o * total * inner + offset, block));
            offset += block;
        }
        return Graph.Record("concat", result, parts, g =>
        {
            var gs = g.Contiguous().Span;
            int at = 0;
            foreach (var p in parts)
            {
                int block = p.Dim(ax) * inner;
                if (p.RequiresGrad)
                {
                    var grad = GradAccumulator(p);
                    for (int o = 0; o < outer; o++)
                    {
                        var dst = grad.Slice(o * block, block);
                        TensorPrimitives.Add(dst, gs.Slice(o * total * inner + at, block), dst);
                    }
                }
                at += block;
            }
        });
    }

    /// <summary>Stacks equally shaped tensors along a new axis <paramref name="axis"/> (0 .. rank).</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("stack needs at least one tensor");
        int rank = tensors[0].Rank;
        int ax = axis < 0 ? axis + rank + 1 : axis;
        if ((uint)ax > (uint)rank) throw new ArgumentException($"stack axis {axis} is out of range for rank {rank}");
        var expanded = new Tensor[tensors.Count];
        for (int i = 0; i < expanded.Length; i++)
        {
            if (!tensors[i].Shape.SequenceEqual(tensors[0].Shape))
                throw new ArgumentException($"cannot stack {ShapeUtil.Format(tensors[i].Shape)} with {ShapeUtil.Format(tensors[0].Shape)}");
            var shape = new List<int>(tensors[i].ShapeArray());
            shape.Insert(ax, 1);
            expanded[i] = tensors[i].Reshape([.. shape]);
        }
        return Concat(expanded, ax);
    }

    /// <summary>
    /// Rows (sub-tensors) of <paramref name="x"/> at <paramref name="indices"/> along <paramref name="axis"/>, in
    /// that order; repeats allowed. The backward scatter-adds, so a repeated index collects every gradient.
    /// </summary>
    public static Tensor IndexSelect(Tensor x, int axis, IReadOnlyList<int> indices)
    {
        x = x.Contiguous();
        int ax = NormalizeAxis(axis, x.Rank);
        var (outer, n, inner) = SplitAtAxis(x.Shape, ax);
        var index = indices.ToArray();
        foreach (int i in index)
        {
            if ((uint)i >= (uint)n) throw new ArgumentException($"index {i} is out of range for axis {axis} of length {n}");
        }
        var shape = x.ShapeArray();
        shape[ax] = index.Length;
        var result = Tensor.Uninitialized(shape);
        var xs = x.Span;
        var ys = result.Span;
        for (int o = 0, pos = 0; o < outer; o++)
        {
            foreach (int i in index)
            {
                xs.Slice((o * n + i) * inner, inner).CopyTo(ys.Slice(pos, inner));
                pos += inner;
            }
        }
        return Graph.Record("index_select", result, [x], g =>
        {
            var gs = g.Contiguous().Span;
            var grad = GradAccumulator(x);
            for (int o = 0, pos = 0; o < outer; o++)
            {
                foreach (int i in index)
                {
                    var dst = grad.Slice((o * n + i) * inner, inner);
                    TensorPrimitives.Add(dst, gs.Slice(pos, inner), dst);
                    pos += inner;
                }
            }
        });
    }

    /// <summary>
    /// Embedding rows: table [V, D] looked up at <paramref name="ids"/> (any shape, integer-valued floats) gives
    /// [..ids shape, D]. The gradient scatter-adds into the table rows; ids get none.
    /// </summary>
    public static Tensor EmbeddingLookup(Tensor table, Tensor ids)
    {
        if (table.Rank != 2) throw new ArgumentException($"embedding table must be [V, D], got {ShapeUtil.Format(table.Shape)}");
        int vocabulary = table.Dim(0);
        var idValues = ids.Contiguous().Span;
        var rows = new int[idValues.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            float id = idValues[i];
            if (!(id >= 0 && id < vocabulary) || id != MathF.Floor(id))
                throw new ArgumentException($"embedding id {id} is not an integer in [0, {vocabulary})");
            rows[i] = (int)id;
        }
        var selected = IndexSelect(table, 0, rows);
        return selected.Reshape([.. ids.ShapeArray(), table.Dim(1)]);
    }
}
