using MixQ.Tensors.Autograd;

namespace MixQ.Tensors;

/// <summary>Differentiable views and layout changes: reshape, permute/transpose, contiguous copies.</summary>
public sealed partial class Tensor
{
    /// <summary>Runs the reverse sweep from this tensor (a scalar loss unless <paramref name="seed"/> is given).</summary>
    public void Backward(Tensor? seed = null) => Graph.Backward(this, seed);

    /// <summary>This tensor if contiguous, else a contiguous copy (gradient passes straight through).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var result = Uninitialized(ShapeArray());
        CopyStridedTo(result.Span);
        return Graph.Record("contiguous", result, [this], g => AccumulateGradStrided(g));
    }

    /// <summary>A view with a new shape (one entry may be -1). Copies only when this tensor is a strided view.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var target = ShapeUtil.ResolveReshape(Size, shape);
        var source = Contiguous();
        var result = new Tensor(target, source.Storage, source.Offset);
        return Graph.Record("reshape", result, [source],
            g => source.AccumulateGrad(g.Contiguous().Span));
    }

    /// <summary>Flattens all dimensions from <paramref name="startAxis"/> on.</summary>
    public Tensor Flatten(int startAxis = 1)
    {
        var shape = new int[startAxis + 1];
        for (int i = 0; i < startAxis; i++) shape[i] = _shape[i];
        shape[startAxis] = -1;
        return Reshape(shape);
    }

    /// <summary>A strided view with the axes reordered: result axis i is this tensor's axis perm[i].</summary>
    public Tensor Permute(params int[] perm)
    {
        if (perm.Length != Rank) throw new ArgumentException("permutation rank does not match tensor rank");
        var shape = new int[Rank];
        var strides = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int p = perm[i];
            if ((uint)p >= (uint)Rank || seen[p]) throw new ArgumentException("invalid permutation");
            seen[p] = true;
            shape[i] = _shape[p];
            strides[i] = _strides[p];
        }
        var result = new Tensor(shape, Storage, Offset, strides);
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[perm[i]] = i;
        return Graph.Record("permute", result, [this], g =>
        {
            var back = g.Permute(inverse).Contiguous();
            AccumulateGrad(back.Span);
        });
    }

    /// <summary>Swaps two axes (a view).</summary>
    public Tensor Transpose(int axis0 = -2, int axis1 = -1)
    {
        if (axis0 < 0) axis0 += Rank;
        if (axis1 < 0) axis1 += Rank;
        var perm = Enumerable.Range(0, Rank).ToArray();
        (perm[axis0], perm[axis1]) = (perm[axis1], perm[axis0]);
        return Permute(perm);
    }

    /// <summary>Copies a (possibly strided) view into a contiguous destination in row-major order.</summary>
    internal void CopyStridedTo(Span<float> destination)
    {
        if (IsContiguous)
        {
            Storage.AsSpan(Offset, Size).CopyTo(destination);
            return;
        }
        if (Size == 0) return;
        int rank = Rank;
        int last = _shape[rank - 1];
        int lastStride = _strides[rank - 1];
        var index = new int[rank];
        int outPos = 0;
        int rows = Size / last;
        for (int r = 0; r < rows; r++)
        {
            int src = Offset;
            for (int d = 0; d < rank - 1; d++) src += index[d] * _strides[d];
            if (lastStride == 1)
            {
                Storage.AsSpan(src, last).CopyTo(destination.Slice(outPos, last));
            }
            else
            {
                for (int j = 0; j < last; j++) destination[outPos + j] = Storage[src + j * lastStride];
            }
            outPos += last;
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < _shape[d]) break;
                index[d] = 0;
            }
        }
    }

    /// <summary>Gradient of a strided view: the incoming gradient is laid out in this view's logical order.</summary>
    private void AccumulateGradStrided(Tensor g) => AccumulateGrad(g.Contiguous().Span);
}
