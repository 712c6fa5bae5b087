using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixQ.Quantization;

/// <summary>
/// The per-element backward passes of <see cref="FakeQuant"/>: the straight-through masks and the values the LSQ
/// scale and PACT clip gradients sum. The element-wise parts run on Vector512/Vector256; the sums stay in double,
/// element after element in index order, exactly as the scalar twins (<c>...Scalar</c>) add them, so every path
/// gives the same bits (a sum's rounding depends on its order). Tested against the twins on odd lengths.
/// </summary>
internal static class FakeQuantGradients
{
    /// <summary>
    /// One weight row: t = w * inv; inside = |t| &lt;= maxQ. Writes dw = inside ? g : 0 when <paramref name="dw"/> is
    /// not empty. When <paramref name="levels"/> (the row's Q(t)) is not empty, overwrites it with the LSQ factor
    /// c = inside ? q - t : q, whose products with g <see cref="SumProductsOfRows"/> then adds up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightRow(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, Span<float> levels)
    {
        int n = w.Length;
        if (g.Length != n || (!dw.IsEmpty && dw.Length != n) || (!levels.IsEmpty && levels.Length != n))
            throw new ArgumentException("span lengths differ");
        int i = 0;
        if (Vector512.IsHardwareAccelerated) i = WeightRow512(w, inv, maxQ, g, dw, levels);
        else if (Vector256.IsHardwareAccelerated) i = WeightRow256(w, inv, maxQ, g, dw, levels);
        WeightRowScalar(w[i..], inv, maxQ, g[i..], dw.IsEmpty ? dw : dw[i..], levels.IsEmpty ? levels : levels[i..]);
    }

    /// <summary>Scalar reference twin of <see cref="WeightRow"/>'s element-wise part (the sum is <see cref="SumProducts"/>).</summary>
    public static void WeightRowScalar(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, Span<float> levels)
    {
        for (int j = 0; j < w.Length; j++)
        {
            float t = w[j] * inv;
            bool inside = MathF.Abs(t) <= maxQ;
            if (!dw.IsEmpty) dw[j] = inside ? g[j] : 0f;
            if (!levels.IsEmpty) levels[j] = inside ? levels[j] - t : levels[j];
        }
    }

    /// <summary>Σ g[j] c[j] in double, in index order (each product is exact: two 24-bit significands).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumProducts(ReadOnlySpan<float> g, ReadOnlySpan<float> c)
    {
        double sum = 0;
        for (int j = 0; j < c.Length; j++) sum += (double)g[j] * c[j];
        return sum;
    }

    /// <summary>
    /// sums[r] = <see cref="SumProducts"/> of row r of g and c (rows of <paramref name="length"/>, back to back). Each
    /// row keeps its own in-order sum, so the bits are <see cref="SumProducts"/>'s; four rows advance together only
    /// because one chain of dependent double additions leaves the adder idle three cycles in four.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumProductsOfRows(ReadOnlySpan<float> g, ReadOnlySpan<float> c, int length, Span<double> sums)
    {
        int rows = sums.Length;
        if (g.Length < rows * length || c.Length < rows * length) throw new ArgumentException("spans shorter than the rows");
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            var g0 = g.Slice(r * length, length);
            var g1 = g.Slice((r + 1) * length, length);
            var g2 = g.Slice((r + 2) * length, length);
            var g3 = g.Slice((r + 3) * length, length);
            var c0 = c.Slice(r * length, length);
            var c1 = c.Slice((r + 1) * length, length);
            var c2 = c.Slice((r + 2) * length, length);
            var c3 = c.Slice((r + 3) * length, length);
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int j = 0; j < length; j++)
            {
                s0 += (double)g0[j] * c0[j];
                s1 += (double)g1[j] * c1[j];
                s2 += (double)g2[j] * c2[j];
                s3 += (double)g3[j] * c3[j];
            }
            sums[r] = s0;
            sums[r + 1] = s1;
            sums[r + 2] = s2;
            sums[r + 3] = s3;
        }
        for (; r < rows; r++) sums[r] = SumProducts(g.Slice(r * length, length), c.Slice(r * length, length));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int WeightRow512(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, Span<float> levels)
    {
        int n = w.Length, i = 0;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(dw);
        ref float pl = ref MemoryMarshal.GetReference(levels);
        bool writeDw = !dw.IsEmpty, writeLevels = !levels.IsEmpty;
        var vinv = Vector512.Create(inv);
        var vmax = Vector512.Create(maxQ);
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var t = Vector512.LoadUnsafe(ref pw, (nuint)i) * vinv;
            var inside = Vector512.LessThanOrEqual(Vector512.Abs(t), vmax);
            if (writeDw) (inside & Vector512.LoadUnsafe(ref pg, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
            if (writeLevels)
            {
                var q = Vector512.LoadUnsafe(ref pl, (nuint)i);
                Vector512.ConditionalSelect(inside, q - t, q).StoreUnsafe(ref pl, (nuint)i);
            }
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int WeightRow256(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, Span<float> levels)
    {
        int n = w.Length, i = 0;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(dw);
        ref float pl = ref MemoryMarshal.GetReference(levels);
        bool writeDw = !dw.IsEmpty, writeLevels = !levels.IsEmpty;
        var vinv = Vector256.Create(inv);
        var vmax = Vector256.Create(maxQ);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var t = Vector256.LoadUnsafe(ref pw, (nuint)i) * vinv;
            var inside = Vector256.LessThanOrEqual(Vector256.Abs(t), vmax);
            if (writeDw) (inside & Vector256.LoadUnsafe(ref pg, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
            if (writeLevels)
            {
                var q = Vector256.LoadUnsafe(ref pl, (nuint)i);
                Vector256.ConditionalSelect(inside, q - t, q).StoreUnsafe(ref pl, (nuint)i);
            }
        }
        return i;
    }

    /// <summary>
    /// Activations with clip a (PACT): dx = g where low &lt; x &lt; a (unsigned: 0 &lt;= x &lt; a), else 0, written when
    /// <paramref name="dx"/> is not empty; returns Σ g over x &gt;= a minus Σ g over x &lt;= -a (signed), in double in
    /// index order. Clipped entries are rare once the clip is calibrated, so the vector paths only look for them and
    /// add the few they find one by one, in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Activation(ReadOnlySpan<float> x, float a, bool signed, ReadOnlySpan<float> g, Span<float> dx)
    {
        int n = x.Length;
        if (g.Length != n || (!dx.IsEmpty && dx.Length != n)) throw new ArgumentException("span lengths differ");
        double sum = 0;
        int i = 0;
        if (Vector512.IsHardwareAccelerated) i = Activation512(x, a, signed, g, dx, ref sum);
        else if (Vector256.IsHardwareAccelerated) i = Activation256(x, a, signed, g, dx, ref sum);
        ActivationScalar(x[i..], a, signed, g[i..], dx.IsEmpty ? dx : dx[i..], ref sum);
        return sum;
    }

    /// <summary>Scalar reference twin of <see cref="Activation"/>; adds into <paramref name="sum"/>.</summary>
    public static void ActivationScalar(ReadOnlySpan<float> x, float a, bool signed, ReadOnlySpan<float> g, Span<float> dx, ref double sum)
    {
        float low = signed ? -a : 0f;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (!dx.IsEmpty)
            {
                bool inside = signed ? v > low && v < a : v >= low && v < a;
                dx[i] = inside ? g[i] : 0f;
            }
            if (v >= a) sum += g[i];
            else if (signed && v <= -a) sum -= g[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Activation512(ReadOnlySpan<float> x, float a, bool signed, ReadOnlySpan<float> g, Span<float> dx, ref double sum)
    {
        int n = x.Length, i = 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(dx);
        bool writeDx = !dx.IsEmpty;
        var va = Vector512.Create(a);
        var vlow = Vector512.Create(signed ? -a : 0f);
        var aboveLow = signed ? Vector512<float>.Zero : Vector512<float>.AllBitsSet; // unsigned: x == low is inside
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref px, (nuint)i);
            var vg = Vector512.LoadUnsafe(ref pg, (nuint)i);
            var atLowEdge = Vector512.Equals(v, vlow) & aboveLow;
            var inside = (Vector512.GreaterThan(v, vlow) | atLowEdge) & Vector512.LessThan(v, va);
            if (writeDx) (inside & vg).StoreUnsafe(ref pd, (nuint)i);
            var clipped = Vector512.GreaterThanOrEqual(v, va);
            if (signed) clipped |= Vector512.LessThanOrEqual(v, vlow);
            if (clipped.ExtractMostSignificantBits() != 0)
                ActivationScalar(x.Slice(i, Vector512<float>.Count), a, signed, g.Slice(i, Vector512<float>.Count), [], ref sum);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Activation256(ReadOnlySpan<float> x, float a, bool signed, ReadOnlySpan<float> g, Span<float> dx, ref double sum)
    {
        int n = x.Length, i = 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(dx);
        bool writeDx = !dx.IsEmpty;
        var va = Vector256.Create(a);
        var vlow = Vector256.Create(signed ? -a : 0f);
        var aboveLow = signed ? Vector256<float>.Zero : Vector256<float>.AllBitsSet;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref px, (nuint)i);
            var vg = Vector256.LoadUnsafe(ref pg, (nuint)i);
            var atLowEdge = Vector256.Equals(v, vlow) & aboveLow;
            var inside = (Vector256.GreaterThan(v, vlow) | atLowEdge) & Vector256.LessThan(v, va);
            if (writeDx) (inside & vg).StoreUnsafe(ref pd, (nuint)i);
            var clipped = Vector256.GreaterThanOrEqual(v, va);
            if (signed) clipped |= Vector256.LessThanOrEqual(v, vlow);
            if (clipped.ExtractMostSignificantBits() != 0)
                ActivationScalar(x.Slice(i, Vector256<float>.Count), a, signed, g.Slice(i, Vector256<float>.Count), [], ref sum);
        }
        return i;
    }

    /// <summary>
    /// Flat indices of the entries the PACT clip gradient reads: x &gt;= a, and x &lt;= -a when signed (in order).
    /// They are usually few, so the vector paths only test whole blocks and list the few that have any.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] ClippedIndices(ReadOnlySpan<float> x, float a, bool signed)
    {
        var found = new List<int>();
        int n = x.Length, i = 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a);
            var vlow = Vector512.Create(-a);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref px, (nuint)i);
                var clipped = Vector512.GreaterThanOrEqual(v, va);
                if (signed) clipped |= Vector512.LessThanOrEqual(v, vlow);
                if (clipped.ExtractMostSignificantBits() != 0) ClippedIndicesScalar(x.Slice(i, Vector512<float>.Count), a, signed, i, found);
            }
        }
        ClippedIndicesScalar(x[i..], a, signed, i, found);
        return found.ToArray();
    }

    /// <summary>Scalar reference twin of <see cref="ClippedIndices"/>: adds first + k for each clipped x[k].</summary>
    public static void ClippedIndicesScalar(ReadOnlySpan<float> x, float a, bool signed, int first, List<int> found)
    {
        for (int k = 0; k < x.Length; k++)
            if (x[k] >= a || (signed && x[k] <= -a)) found.Add(first + k);
    }
}
