using System.Numerics.Tensors;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// NumPy-style broadcasting on contiguous row-major spans: elementwise binary ops, reduction of a broadcast
/// result back to an operand's shape (the gradient of broadcasting), and expansion. Same-shape and
/// single-element operands take a direct whole-span path; everything else goes through a
/// <see cref="BroadcastPlan"/> that hands TensorPrimitives one contiguous inner run at a time.
/// </summary>
public static class Broadcast
{
    /// <summary>destination = op(a, b) with <paramref name="outShape"/> = broadcast(aShape, bShape).
    /// <paramref name="destination"/> may be the same span as an operand whose shape equals outShape.</summary>
    public static void Apply<TKernel>(ReadOnlySpan<float> a, ReadOnlySpan<int> aShape, ReadOnlySpan<float> b,
        ReadOnlySpan<int> bShape, Span<float> destination, ReadOnlySpan<int> outShape)
        where TKernel : IBinaryKernel
    {
        int size = ShapeUtil.Size(outShape);
        CheckLength(a.Length, aShape);
        CheckLength(b.Length, bShape);
        CheckLength(destination.Length, outShape);
        if (!ShapeUtil.Broadcast(aShape, bShape).AsSpan().SequenceEqual(outShape))
            throw new ArgumentException($"{ShapeUtil.Format(outShape)} is not the broadcast shape of " +
                $"{ShapeUtil.Format(aShape)} and {ShapeUtil.Format(bShape)}");
        if (size == 0) return;
        // An operand with the output's element count differs from it only by size-1 axes: same layout.
        if (a.Length == size && b.Length == size)
        {
            TKernel.Vectors(a, b, destination);
            return;
        }
        // A single-element operand: the other operand already has the output's size and layout.
        if (b.Length == 1 && a.Length == size)
        {
            TKernel.VectorScalar(a, b[0], destination);
            return;
        }
        if (a.Length == 1 && b.Length == size)
        {
            TKernel.ScalarVector(a[0], b, destination);
            return;
        }

        var plan = BroadcastPlan.Create(outShape, aShape, bShape);
        int inner = plan.InnerLength;
        bool aRuns = plan.StridesA[^1] != 0;
        bool bRuns = plan.StridesB[^1] != 0;
        var cursor = new BroadcastPlan.Cursor(plan);
        for (int run = 0, pos = 0; run < plan.Runs; run++, pos += inner, cursor.Next())
        {
            var d = destination.Slice(pos, inner);
            if (aRuns && bRuns) TKernel.Vectors(a.Slice(cursor.OffsetA, inner), b.Slice(cursor.OffsetB, inner), d);
            else if (aRuns) TKernel.VectorScalar(a.Slice(cursor.OffsetA, inner), b[cursor.OffsetB], d);
            else TKernel.ScalarVector(a[cursor.OffsetA], b.Slice(cursor.OffsetB, inner), d);
        }
    }

    /// <summary>
    /// destination += source summed over the axes along which <paramref name="destinationShape"/> was broadcast to
    /// <paramref name="sourceShape"/> (leading axes missing from destinationShape, and its size-1 axes).
    /// Accumulates: zero the destination first for a plain reduction.
    /// </summary>
    public static void SumToAccumulate(ReadOnlySpan<float> source, ReadOnlySpan<int> sourceShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape)
    {
        CheckLength(source.Length, sourceShape);
        CheckLength(destination.Length, destinationShape);
        CheckBroadcastable(destinationShape, sourceShape);
        if (source.Length == 0) return;
        if (source.Length == destination.Length)
        {
            // Same element count means only size-1 axes differ: the layouts coincide.
            TensorPrimitives.Add(destination, source, destination);
            return;
        }
        if (destination.Length == 1)
        {
            destination[0] += TensorPrimitives.Sum(source);
            return;
        }

        var plan = BroadcastPlan.Create(sourceShape, sourceShape, destinationShape);
        int inner = plan.InnerLength;
        bool kept = plan.StridesB[^1] != 0;
        var cursor = new BroadcastPlan.Cursor(plan);
        for (int run = 0, pos = 0; run < plan.Runs; run++, pos += inner, cursor.Next())
        {
            var s = source.Slice(pos, inner);
            if (kept)
            {
                var d = destination.Slice(cursor.OffsetB, inner);
                TensorPrimitives.Add(d, s, d);
            }
            else
            {
                destination[cursor.OffsetB] += TensorPrimitives.Sum(s);
            }
        }
    }

    /// <summary>destination = source broadcast to <paramref name="destinationShape"/> (overwrites).</summary>
    public static void Expand(ReadOnlySpan<float> source, ReadOnlySpan<int> sourceShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape)
    {
        CheckLength(source.Length, sourceShape);
        CheckLength(destination.Length, destinationShape);
        CheckBroadcastable(sourceShape, destinationShape);
        if (destination.Length == 0) return;
        if (source.Length == destination.Length)
        {
            source.CopyTo(destination);
            return;
        }
        if (source.Length == 1)
        {
            destination.Fill(source[0]);
            return;
        }

        var plan = BroadcastPlan.Create(destinationShape, destinationShape, sourceShape);
        int inner = plan.InnerLength;
        bool runs = plan.StridesB[^1] != 0;
        var cursor = new BroadcastPlan.Cursor(plan);
        for (int run = 0, pos = 0; run < plan.Runs; run++, pos += inner, cursor.Next())
        {
            var d = destination.Slice(pos, inner);
            if (runs) source.Slice(cursor.OffsetB, inner).CopyTo(d);
            else d.Fill(source[cursor.OffsetB]);
        }
    }

    /// <summary>Whether <paramref name="shape"/> broadcasts to exactly <paramref name="target"/> (NumPy rules).</summary>
    public static bool IsBroadcastable(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        if (shape.Length > target.Length) return false;
        int lead = target.Length - shape.Length;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] != 1 && shape[d] != target[lead + d]) return false;
        }
        return true;
    }

    private static void CheckBroadcastable(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        if (!IsBroadcastable(shape, target))
            throw new ArgumentException($"shape {ShapeUtil.Format(shape)} cannot be broadcast to {ShapeUtil.Format(target)}");
    }

    private static void CheckLength(int length, ReadOnlySpan<int> shape)
    {
        if (length != ShapeUtil.Size(shape))
            throw new ArgumentException($"span of {length} elements does not match shape {ShapeUtil.Format(shape)}");
    }
}
