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

    /// <summary>Lanes of the LSQ scale sum: element j of a row's vector part goes to lane j mod 16.</summary>
    public const int ScaleSumLanes = 16;

    /// <summary>
    /// One weight row of the LSQ backward in a single pass: t = w * inv; inside = |t| &lt;= maxQ; dw = inside ? g : 0
    /// (when <paramref name="dw"/> is not empty); returns Σ g c with c = inside ? q - t : q, <paramref name="q"/> the
    /// row's levels Q(t). Each product is exact in double (two 24-bit significands); the products are added in
    /// <see cref="ScaleSumLanes"/> lanes (element j of the first n - n mod 16 to lane j mod 16), the lanes folded as
    /// (lane l + lane l+8) for l = 0..7 in order, then the last n mod 16 elements in order — a fixed order, so the
    /// same bits on every path, thread count and machine (<see cref="WeightRowScaleSumScalar"/> is the twin).
    /// <paramref name="dw"/> may be <paramref name="g"/> itself (each g is read before its dw is written).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double WeightRowScaleSum(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, ReadOnlySpan<float> q)
    {
        int n = w.Length;
        if (g.Length != n || q.Length != n || (!dw.IsEmpty && dw.Length != n)) throw new ArgumentException("span lengths differ");
        if (Vector512.IsHardwareAccelerated) return WeightRowScaleSum512(w, inv, maxQ, g, dw, q);
        if (Vector256.IsHardwareAccelerated) return WeightRowScaleSum256(w, inv, maxQ, g, dw, q);
        return WeightRowScaleSumScalar(w, inv, maxQ, g, dw, q);
    }

    /// <summary>Scalar reference twin of <see cref="WeightRowScaleSum"/> (same lanes, same order of additions).</summary>
    public static double WeightRowScaleSumScalar(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, ReadOnlySpan<float> q)
    {
        int n = w.Length, body = n - n % ScaleSumLanes;
        Span<double> lanes = stackalloc double[ScaleSumLanes];
        lanes.Clear();
        double total = 0;
        for (int j = 0; j < n; j++)
        {
            float t = w[j] * inv, gj = g[j]; // g is read before dw is written: dw may be g itself
            bool inside = MathF.Abs(t) <= maxQ;
            if (!dw.IsEmpty) dw[j] = inside ? gj : 0f;
            float c = inside ? q[j] - t : q[j];
            double product = (double)gj * c;
            if (j < body) lanes[j % ScaleSumLanes] += product;
            else
            {
                if (j == body) total = FoldLanes(lanes);
                total += product;
            }
        }
        return body == n ? FoldLanes(lanes) : total;
    }

    private static double FoldLanes(ReadOnlySpan<double> lanes)
    {
        double total = 0;
        for (int l = 0; l < ScaleSumLanes / 2; l++) total += lanes[l] + lanes[l + ScaleSumLanes / 2];
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double WeightRowScaleSum512(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, ReadOnlySpan<float> q)
    {
        int n = w.Length, i = 0;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(dw);
        ref float pq = ref MemoryMarshal.GetReference(q);
        bool writeDw = !dw.IsEmpty;
        var vinv = Vector512.Create(inv);
        var vmax = Vector512.Create(maxQ);
        Vector512<double> low = Vector512<double>.Zero, high = Vector512<double>.Zero; // lanes 0-7 and 8-15
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var t = Vector512.LoadUnsafe(ref pw, (nuint)i) * vinv;
            var inside = Vector512.LessThanOrEqual(Vector512.Abs(t), vmax);
            var vg = Vector512.LoadUnsafe(ref pg, (nuint)i);
            if (writeDw) (inside & vg).StoreUnsafe(ref pd, (nuint)i);
            var vq = Vector512.LoadUnsafe(ref pq, (nuint)i);
            var c = Vector512.ConditionalSelect(inside, vq - t, vq);
            var (gLow, gHigh) = Vector512.Widen(vg);
            var (cLow, cHigh) = Vector512.Widen(c);
            low += gLow * cLow;
            high += gHigh * cHigh;
        }
        var pairs = low + high;
        double total = 0;
        for (int l = 0; l < Vector512<double>.Count; l++) total += pairs.GetElement(l);
        return AddTail(w[i..], inv, maxQ, g[i..], dw.IsEmpty ? dw : dw[i..], q[i..], total);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double WeightRowScaleSum256(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, ReadOnlySpan<float> q)
    {
        int n = w.Length, i = 0;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(dw);
        ref float pq = ref MemoryMarshal.GetReference(q);
        bool writeDw = !dw.IsEmpty;
        var vinv = Vector256.Create(inv);
        var vmax = Vector256.Create(maxQ);
        // Lanes 0-3, 4-7, 8-11, 12-15: the same 16 lanes as the 512-bit path, 16 elements per iteration.
        Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (; i <= n - 2 * Vector256<float>.Count; i += 2 * Vector256<float>.Count)
        {
            for (int half = 0; half < 2; half++)
            {
                nuint k = (nuint)(i + half * Vector256<float>.Count);
                var t = Vector256.LoadUnsafe(ref pw, k) * vinv;
                var inside = Vector256.LessThanOrEqual(Vector256.Abs(t), vmax);
                var vg = Vector256.LoadUnsafe(ref pg, k);
                if (writeDw) (inside & vg).StoreUnsafe(ref pd, k);
                var vq = Vector256.LoadUnsafe(ref pq, k);
                var c = Vector256.ConditionalSelect(inside, vq - t, vq);
                var (gLow, gHigh) = Vector256.Widen(vg);
                var (cLow, cHigh) = Vector256.Widen(c);
                if (half == 0) { a0 += gLow * cLow; a1 += gHigh * cHigh; }
                else { a2 += gLow * cLow; a3 += gHigh * cHigh; }
            }
        }
        var p0 = a0 + a2;
        var p1 = a1 + a3;
        double total = 0;
        for (int l = 0; l < Vector256<double>.Count; l++) total += p0.GetElement(l);
        for (int l = 0; l < Vector256<double>.Count; l++) total += p1.GetElement(l);
        return AddTail(w[i..], inv, maxQ, g[i..], dw.IsEmpty ? dw : dw[i..], q[i..], total);
    }

    /// <summary>The elements after the vector part (fewer than 16), added to <paramref name="total"/> in order.</summary>
    private static double AddTail(ReadOnlySpan<float> w, float inv, float maxQ, ReadOnlySpan<float> g, Span<float> dw, ReadOnlySpan<float> q, double total)
    {
        for (int j = 0; j < w.Length; j++)
        {
            float t = w[j] * inv, gj = g[j];
            bool inside = MathF.Abs(t) <= maxQ;
            if (!dw.IsEmpty) dw[j] = inside ? gj : 0f;
            total += (double)gj * (inside ? q[j] - t : q[j]);
        }
        return total;
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

    /// <summary>
    /// The PACT clip gradient's partial sums from the clipped entries alone: partials[k] (chunk k of
    /// <paramref name="size"/> elements cut into partials.Length chunks as <see cref="MixQ.Tensors.Kernels.BatchParallel"/>
    /// cuts them) gets + g[i] for x[i] &gt;= a and - g[i] for x[i] &lt;= -a, over the ascending indices
    /// <paramref name="clipped"/> — the same additions in the same order as <see cref="Activation"/> over each chunk.
    /// </summary>
    public static void ClippedSums(ReadOnlySpan<int> clipped, ReadOnlySpan<float> g, ReadOnlySpan<float> x, float a, int size, Span<double> partials)
    {
        int chunks = partials.Length, chunk = 0;
        partials.Clear();
        int end = MixQ.Tensors.Kernels.BatchParallel.ChunkStart(size, chunks, 1);
        foreach (int i in clipped)
        {
            while (i >= end) end = MixQ.Tensors.Kernels.BatchParallel.ChunkStart(size, chunks, ++chunk + 1);
            if (x[i] >= a) partials[chunk] += g[i];
            else partials[chunk] -= g[i];
        }
    }

    /// <summary>Scalar reference twin of <see cref="ClippedIndices"/>: adds first + k for each clipped x[k].</summary>
    public static void ClippedIndicesScalar(ReadOnlySpan<float> x, float a, bool signed, int first, List<int> found)
    {
        for (int k = 0; k < x.Length; k++)
            if (x[k] >= a || (signed && x[k] <= -a)) found.Add(first + k);
    }
}
