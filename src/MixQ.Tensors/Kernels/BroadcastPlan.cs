namespace MixQ.Tensors.Kernels;

/// <summary>
/// How to walk an output shape together with two operands broadcast into it, reduced to as few dimensions as
/// possible. Size-1 output dimensions are dropped and neighbouring dimensions are merged whenever both operands
/// continue contiguously across them (both strides 0 counts as contiguous), so [N, C] op [C] becomes
/// dims [N, C] with B strides [0, 1], and [N, C, H, W] op [1, C, 1, 1] becomes dims [N, C, H*W] with B strides
/// [0, 1, 0]. The innermost dimension is then walked as one contiguous run (stride 1) or one repeated value
/// (stride 0) per operand, so kernels never do per-element index arithmetic.
/// </summary>
internal sealed class BroadcastPlan
{
    private BroadcastPlan(int[] dims, int[] stridesA, int[] stridesB, int size)
    {
        Dims = dims;
        StridesA = stridesA;
        StridesB = stridesB;
        Size = size;
    }

    /// <summary>Collapsed output dimensions, outermost first; never empty.</summary>
    public int[] Dims { get; }

    /// <summary>Element strides of operand A per collapsed dimension (0 where A is broadcast).</summary>
    public int[] StridesA { get; }

    public int[] StridesB { get; }

    public int Size { get; }

    public int InnerLength => Dims[^1];

    /// <summary>Number of inner runs (0 for an empty output).</summary>
    public int Runs => Size == 0 ? 0 : Size / InnerLength;

    public static BroadcastPlan Create(ReadOnlySpan<int> outShape, ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape)
    {
        var sa = AlignedStrides(aShape, outShape);
        var sb = AlignedStrides(bShape, outShape);
        var dims = new List<int>(outShape.Length);
        var stridesA = new List<int>(outShape.Length);
        var stridesB = new List<int>(outShape.Length);
        for (int d = 0; d < outShape.Length; d++)
        {
            int n = outShape[d];
            if (n == 1) continue;
            int last = dims.Count - 1;
            // The outer dimension continues into this one when stepping it once equals stepping this one n times.
            if (last >= 0 && stridesA[last] == sa[d] * n && stridesB[last] == sb[d] * n)
            {
                dims[last] *= n;
                stridesA[last] = sa[d];
                stridesB[last] = sb[d];
            }
            else
            {
                dims.Add(n);
                stridesA.Add(sa[d]);
                stridesB.Add(sb[d]);
            }
        }
        if (dims.Count == 0)
        {
            // A single element: one run of length 1 over both operands.
            dims.Add(1);
            stridesA.Add(1);
            stridesB.Add(1);
        }
        return new BroadcastPlan([.. dims], [.. stridesA], [.. stridesB], ShapeUtil.Size(outShape));
    }

    /// <summary>Contiguous strides of <paramref name="shape"/> right-aligned to <paramref name="outShape"/>, 0 on broadcast axes.</summary>
    private static int[] AlignedStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> outShape)
    {
        if (shape.Length > outShape.Length)
            throw new ArgumentException($"shape {ShapeUtil.Format(shape)} has more axes than {ShapeUtil.Format(outShape)}");
        var strides = new int[outShape.Length];
        int lead = outShape.Length - shape.Length;
        int stride = 1;
        for (int d = outShape.Length - 1; d >= lead; d--)
        {
            int n = shape[d - lead];
            if (n == outShape[d]) strides[d] = n == 1 ? 0 : stride;
            else if (n == 1) strides[d] = 0;
            else throw new ArgumentException($"shape {ShapeUtil.Format(shape)} cannot be broadcast to {ShapeUtil.Format(outShape)}");
            stride *= n;
        }
        return strides;
    }

    /// <summary>Walks the runs: offsets of A and B at the start of each inner run (the output offset is run * InnerLength).</summary>
    public struct Cursor(BroadcastPlan plan)
    {
        private readonly int[] _index = new int[plan.Dims.Length];
        public int OffsetA { get; private set; }
        public int OffsetB { get; private set; }

        /// <summary>Moves to the next run, like an odometer over all but the innermost dimension.</summary>
        public void Next()
        {
            var dims = plan.Dims;
            for (int d = dims.Length - 2; d >= 0; d--)
            {
                OffsetA += plan.StridesA[d];
                OffsetB += plan.StridesB[d];
                if (++_index[d] < dims[d]) return;
                OffsetA -= plan.StridesA[d] * dims[d];
                OffsetB -= plan.StridesB[d] * dims[d];
                _index[d] = 0;
            }
        }
    }
}
