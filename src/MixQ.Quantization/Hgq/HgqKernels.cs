using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// The per-element passes of <see cref="HgqQuantizer"/>: quantizing weights with one f each, quantizing with
/// per-element parameters (activations, shared-f weights), the surrogate gradient of f, the straight-through input
/// gradient, range recording and the clamp of f.
///
/// <para>Every kernel has a scalar reference twin (<c>...Scalar</c>, the arithmetic of <see cref="FixedPoint"/> on
/// float inputs) and Vector512/Vector256 paths that use the same IEEE operations in the same order, so all paths
/// give the same bits; tested on odd lengths and boundary values. The vector quantizers take a block of lanes only
/// when every lane is on the common exact path (finite, no underflow to 0, code inside the format); otherwise the
/// whole block goes through the scalar twin, which handles the rare cases (overflow, formats capped at 24 bits).</para>
/// </summary>
internal static class HgqKernels
{
    private static readonly double Ln2 = Math.Log(2.0);

    /// <summary>|x 2^f| below this: the format from a single value needs at most 23 bits, never the 24-bit cap.</summary>
    private const float FastLimit = 4194304f; // 2^22

    // ---- weights with one f per element --------------------------------------------------------------

    /// <summary>
    /// Each weight in the format derived from its own value and its own f (rounded half up, clamped to
    /// [<paramref name="lowF"/>, <paramref name="highF"/>]): <paramref name="y"/> gets the quantized value,
    /// <paramref name="spans"/> the non-zero bit span of its code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightElements(ReadOnlySpan<float> w, ReadOnlySpan<float> f, int lowF, int highF, RoundingMode rounding, OverflowMode overflow, Span<float> y, Span<float> spans)
    {
        int n = w.Length;
        if (f.Length != n || y.Length != n || spans.Length != n) throw new ArgumentException("span lengths differ");
        int i = 0;
        if (Vector512.IsHardwareAccelerated) i = WeightElements512(w, f, lowF, highF, rounding, overflow, y, spans);
        else if (Vector256.IsHardwareAccelerated) i = WeightElements256(w, f, lowF, highF, rounding, overflow, y, spans);
        WeightElementsScalar(w[i..], f[i..], lowF, highF, rounding, overflow, y[i..], spans[i..]);
    }

    /// <summary>Scalar reference twin of <see cref="WeightElements"/>.</summary>
    public static void WeightElementsScalar(ReadOnlySpan<float> w, ReadOnlySpan<float> f, int lowF, int highF, RoundingMode rounding, OverflowMode overflow, Span<float> y, Span<float> spans)
    {
        for (int e = 0; e < w.Length; e++)
        {
            float v = w[e];
            // Same rounding of f as HgqQuantizer.RoundedFractionalBits (in double: f + 0.5f in float can round up).
            int fi = (int)Math.Clamp(Math.Floor((double)f[e] + 0.5), lowF, highF);
            var format = SingleValueFormat(v, fi);
            int frac = format.FractionalBits;
            float scaled = v * Pow2.Float(frac);
            float r;
            if (float.IsFinite(scaled) && (scaled != 0f || v == 0f))
            {
                float floor = MathF.Floor(scaled);
                r = rounding switch
                {
                    RoundingMode.Truncate => floor,
                    RoundingMode.RoundHalfUp => scaled - floor >= 0.5f ? floor + 1f : floor,
                    _ => MathF.Round(scaled, MidpointRounding.ToEven),
                };
                if (r > format.MaxCode || r < format.LowestCode(overflow)) r = FixedPoint.Code(v, format, rounding, overflow);
            }
            else r = FixedPoint.Code(v, format, rounding, overflow);
            y[e] = r * Pow2.Float(-frac);
            spans[e] = FixedPoint.NonZeroSpan((long)r);
        }
    }

    /// <summary>
    /// <see cref="FixedPointFormat.FromRange"/> for the range [v, v] of one weight, without its general-purpose
    /// cost: the same formula with table powers of two.
    /// </summary>
    public static FixedPointFormat SingleValueFormat(float v, int f)
    {
        double top = v + Pow2.Double(-f); // exact: f is within [-32, 16]
        int i = int.MinValue;
        if (v < 0) i = Pow2.CeilLog2(-(double)v);
        if (top > 0) i = Math.Max(i, Pow2.CeilLog2(top));
        if (i == int.MinValue) i = -f;
        bool signed = v < 0;
        if ((signed ? 1 : 0) + i + f > FixedPointFormat.MaxWidth) return FixedPointFormat.FromRange(v, v, f);
        return new FixedPointFormat(signed, i, f);
    }

    /// <summary>
    /// <see cref="FixedPointFormat.FromRange"/> for a recorded range [min, max] (activations, one per element), without
    /// its general-purpose cost: the same formula with table powers of two and ceil(log2) from the exponent bits. Empty,
    /// infinite or NaN ranges, f beyond the table and formats that hit the 24-bit cap take the general function.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: see HgqQuantizer
    public static FixedPointFormat RangeFormat(float min, float max, int f)
    {
        if (!(min <= max) || !float.IsFinite(min) || !float.IsFinite(max) || f <= -Pow2.Limit || f >= Pow2.Limit)
            return FixedPointFormat.FromRange(min, max, f);
        int i = int.MinValue;
        if (min < 0) i = Pow2.CeilLog2(-(double)min);
        double top = max + Pow2.Double(-f); // the same double sum as FromRange
        if (top > 0) i = Math.Max(i, Pow2.CeilLog2(top));
        if (i == int.MinValue) i = -f;
        bool signed = min < 0;
        if ((signed ? 1 : 0) + i + f > FixedPointFormat.MaxWidth) return FixedPointFormat.FromRange(min, max, f);
        return new FixedPointFormat(signed, i, f);
    }

    // Why a block whose lanes pass the vector test needs no format: with s = v 2^f (exact) and |s| < 2^22, the
    // format of [v, v] has at most 23 bits (no cap, so f is kept) and every rounding of s lies inside its codes —
    // r <= MaxCode because v + 2^-f <= 2^i, r >= MinCode because -v <= 2^i — except in two cases sent to the scalar
    // twin: s = -1/2 exactly (the format then has i + f = -1: no codes at all, while truncation gives -1), and, under
    // symmetric saturation, a negative code -2^k (the one code that mode removes). Its bit span then follows from the
    // code alone.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int WeightElements512(ReadOnlySpan<float> w, ReadOnlySpan<float> f, int lowF, int highF, RoundingMode rounding, OverflowMode overflow, Span<float> y, Span<float> spans)
    {
        int n = w.Length, i = 0;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pf = ref MemoryMarshal.GetReference(f);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float ps = ref MemoryMarshal.GetReference(spans);
        var half = Vector512.Create(0.5f);
        var minusHalf = Vector512.Create(-0.5f);
        var one = Vector512<float>.One;
        var zero = Vector512<float>.Zero;
        var lo = Vector512.Create((float)lowF);
        var hi = Vector512.Create((float)highF);
        var limit = Vector512.Create(FastLimit);
        var bias = Vector512.Create(127);
        bool symmetric = overflow == OverflowMode.SymmetricSaturate;
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref pw, (nuint)i);
            var fv = Vector512.LoadUnsafe(ref pf, (nuint)i);
            var ff = Vector512.Floor(fv);
            var fr = Vector512.Min(Vector512.Max(ff + (Vector512.GreaterThanOrEqual(fv - ff, half) & one), lo), hi);
            var fi = Vector512.ConvertToInt32(fr);
            var scale = Vector512.ShiftLeft(fi + bias, 23).AsSingle();
            var inverse = Vector512.ShiftLeft(bias - fi, 23).AsSingle();
            var s = v * scale;
            var ok = Vector512.LessThan(Vector512.Abs(s), limit)
                     & (~Vector512.Equals(s, zero) | Vector512.Equals(v, zero))
                     & ~Vector512.Equals(s, minusHalf)
                     & Vector512.Equals(fv, fv);
            var floor = Vector512.Floor(s);
            var r = rounding switch
            {
                RoundingMode.Truncate => floor,
                // A select, not floor + (mask & 1): -0 + 0 would lose the sign of zero the scalar keeps.
                RoundingMode.RoundHalfUp => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(s - floor, half), floor + one, floor),
                _ => Vector512.Round(s),
            };
            var magnitude = Vector512.Abs(Vector512.ConvertToInt32(r));
            if (symmetric)
            {
                var powerOfTwo = Vector512.Equals(magnitude & (magnitude - Vector512<int>.One), Vector512<int>.Zero).AsSingle();
                ok &= ~(Vector512.LessThan(r, zero) & powerOfTwo);
            }
            if (ok.ExtractMostSignificantBits() != 0xFFFF)
            {
                int count = Vector512<float>.Count;
                WeightElementsScalar(w.Slice(i, count), f.Slice(i, count), lowF, highF, rounding, overflow, y.Slice(i, count), spans.Slice(i, count));
                continue;
            }
            (r * inverse).StoreUnsafe(ref py, (nuint)i);
            // Span of |m| from the exponents of its top bit and of its lowest set bit (m & -m), both exact in float.
            var top = Vector512.ShiftRightLogical(Vector512.ConvertToSingle(magnitude).AsInt32(), 23);
            var bottom = Vector512.ShiftRightLogical(Vector512.ConvertToSingle(magnitude & -magnitude).AsInt32(), 23);
            var span = (top - bottom + Vector512<int>.One) & ~Vector512.Equals(magnitude, Vector512<int>.Zero);
            Vector512.ConvertToSingle(span).StoreUnsafe(ref ps, (nuint)i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int WeightElements256(ReadOnlySpan<float> w, ReadOnlySpan<float> f, int lowF, int highF, RoundingMode rounding, OverflowMode overflow, Span<float> y, Span<float> spans)
    {
        int n = w.Length, i = 0;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pf = ref MemoryMarshal.GetReference(f);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float ps = ref MemoryMarshal.GetReference(spans);
        var half = Vector256.Create(0.5f);
        var minusHalf = Vector256.Create(-0.5f);
        var one = Vector256<float>.One;
        var zero = Vector256<float>.Zero;
        var lo = Vector256.Create((float)lowF);
        var hi = Vector256.Create((float)highF);
        var limit = Vector256.Create(FastLimit);
        var bias = Vector256.Create(127);
        bool symmetric = overflow == OverflowMode.SymmetricSaturate;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref pw, (nuint)i);
            var fv = Vector256.LoadUnsafe(ref pf, (nuint)i);
            var ff = Vector256.Floor(fv);
            var fr = Vector256.Min(Vector256.Max(ff + (Vector256.GreaterThanOrEqual(fv - ff, half) & one), lo), hi);
            var fi = Vector256.ConvertToInt32(fr);
            var scale = Vector256.ShiftLeft(fi + bias, 23).AsSingle();
            var inverse = Vector256.ShiftLeft(bias - fi, 23).AsSingle();
            var s = v * scale;
            var ok = Vector256.LessThan(Vector256.Abs(s), limit)
                     & (~Vector256.Equals(s, zero) | Vector256.Equals(v, zero))
                     & ~Vector256.Equals(s, minusHalf)
                     & Vector256.Equals(fv, fv);
            var floor = Vector256.Floor(s);
            var r = rounding switch
            {
                RoundingMode.Truncate => floor,
                // A select, not floor + (mask & 1): -0 + 0 would lose the sign of zero the scalar keeps.
                RoundingMode.RoundHalfUp => Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(s - floor, half), floor + one, floor),
                _ => Vector256.Round(s),
            };
            var magnitude = Vector256.Abs(Vector256.ConvertToInt32(r));
            if (symmetric)
            {
                var powerOfTwo = Vector256.Equals(magnitude & (magnitude - Vector256<int>.One), Vector256<int>.Zero).AsSingle();
                ok &= ~(Vector256.LessThan(r, zero) & powerOfTwo);
            }
            if (ok.ExtractMostSignificantBits() != 0xFF)
            {
                int count = Vector256<float>.Count;
                WeightElementsScalar(w.Slice(i, count), f.Slice(i, count), lowF, highF, rounding, overflow, y.Slice(i, count), spans.Slice(i, count));
                continue;
            }
            (r * inverse).StoreUnsafe(ref py, (nuint)i);
            var top = Vector256.ShiftRightLogical(Vector256.ConvertToSingle(magnitude).AsInt32(), 23);
            var bottom = Vector256.ShiftRightLogical(Vector256.ConvertToSingle(magnitude & -magnitude).AsInt32(), 23);
            var span = (top - bottom + Vector256<int>.One) & ~Vector256.Equals(magnitude, Vector256<int>.Zero);
            Vector256.ConvertToSingle(span).StoreUnsafe(ref ps, (nuint)i);
        }
        return i;
    }

    // ---- quantizing with per-element parameters -------------------------------------------------------

    /// <summary>
    /// y[j] = the value of x[j] in the format of element <paramref name="first"/> + j; <paramref name="clipped"/>
    /// (when not empty) gets 1 where saturation clipped the code, else 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantize(ReadOnlySpan<float> x, HgqElementParameters p, int first, RoundingMode rounding, OverflowMode overflow, Span<float> y, Span<byte> clipped)
    {
        int n = x.Length;
        if (y.Length != n || (!clipped.IsEmpty && clipped.Length != n) || first < 0 || first + n > p.Scale.Length)
            throw new ArgumentException("span lengths differ");
        int i = 0;
        if (Vector512.IsHardwareAccelerated) i = Quantize512(x, p, first, rounding, overflow, y, clipped);
        else if (Vector256.IsHardwareAccelerated) i = Quantize256(x, p, first, rounding, overflow, y, clipped);
        QuantizeScalar(x[i..], p, first + i, rounding, overflow, y[i..], clipped.IsEmpty ? clipped : clipped[i..]);
    }

    /// <summary>Scalar reference twin of <see cref="Quantize"/>.</summary>
    public static void QuantizeScalar(ReadOnlySpan<float> x, HgqElementParameters p, int first, RoundingMode rounding, OverflowMode overflow, Span<float> y, Span<byte> clipped)
    {
        for (int j = 0; j < x.Length; j++)
        {
            y[j] = QuantizeOne(x[j], first + j, p, rounding, overflow, out bool clip);
            if (!clipped.IsEmpty) clipped[j] = clip ? (byte)1 : (byte)0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float QuantizeOne(float v, int e, HgqElementParameters p, RoundingMode rounding, OverflowMode overflow, out bool clipped)
    {
        clipped = false;
        float y = v * p.Scale[e];
        // Fast exact path in float: scaling by 2^f, floor and y - floor(y) are exact unless y left float's range.
        if (float.IsFinite(y) && (y != 0f || v == 0f))
        {
            float floor = MathF.Floor(y);
            float r = rounding switch
            {
                RoundingMode.Truncate => floor,
                RoundingMode.RoundHalfUp => y - floor >= 0.5f ? floor + 1f : floor,
                _ => MathF.Round(y, MidpointRounding.ToEven),
            };
            if (r >= p.Low[e] && r <= p.High[e]) return r * p.Inverse[e];
            if (overflow != OverflowMode.Wrap)
            {
                clipped = true;
                return (r > p.High[e] ? p.High[e] : p.Low[e]) * p.Inverse[e];
            }
        }
        var format = p.Formats[e / p.Span];
        long code = FixedPoint.Code(v, format, rounding, overflow);
        if (overflow != OverflowMode.Wrap)
        {
            double r = FixedPoint.Round(Math.ScaleB((double)v, format.FractionalBits), rounding);
            clipped = r > p.High[e] || r < p.Low[e];
        }
        return (float)Math.ScaleB((double)code, -format.FractionalBits);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Quantize512(ReadOnlySpan<float> x, HgqElementParameters p, int first, RoundingMode rounding, OverflowMode overflow, Span<float> y, Span<byte> clipped)
    {
        int n = x.Length, i = 0;
        if (n < Vector512<float>.Count) return 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float scale = ref p.Scale[first];
        ref float inverse = ref p.Inverse[first];
        ref float low = ref p.Low[first];
        ref float high = ref p.High[first];
        var half = Vector512.Create(0.5f);
        var one = Vector512<float>.One;
        var zero = Vector512<float>.Zero;
        var infinity = Vector512.Create(float.PositiveInfinity);
        var saturates = overflow == OverflowMode.Wrap ? Vector512<float>.Zero : Vector512<float>.AllBitsSet;
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref px, (nuint)i);
            var lo = Vector512.LoadUnsafe(ref low, (nuint)i);
            var hi = Vector512.LoadUnsafe(ref high, (nuint)i);
            var s = v * Vector512.LoadUnsafe(ref scale, (nuint)i);
            var floor = Vector512.Floor(s);
            var r = rounding switch
            {
                RoundingMode.Truncate => floor,
                // A select, not floor + (mask & 1): -0 + 0 would lose the sign of zero the scalar keeps.
                RoundingMode.RoundHalfUp => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(s - floor, half), floor + one, floor),
                _ => Vector512.Round(s),
            };
            var inside = Vector512.GreaterThanOrEqual(r, lo) & Vector512.LessThanOrEqual(r, hi);
            var ok = Vector512.LessThan(Vector512.Abs(s), infinity)
                     & (~Vector512.Equals(s, zero) | Vector512.Equals(v, zero))
                     & (inside | saturates);
            if (ok.ExtractMostSignificantBits() != 0xFFFF)
            {
                int count = Vector512<float>.Count;
                QuantizeScalar(x.Slice(i, count), p, first + i, rounding, overflow, y.Slice(i, count), clipped.IsEmpty ? clipped : clipped.Slice(i, count));
                continue;
            }
            var code = Vector512.ConditionalSelect(inside, r, Vector512.ConditionalSelect(Vector512.GreaterThan(r, hi), hi, lo));
            (code * Vector512.LoadUnsafe(ref inverse, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
            if (!clipped.IsEmpty) WriteClipped((uint)(~inside.ExtractMostSignificantBits() & 0xFFFF), clipped.Slice(i, Vector512<float>.Count));
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Quantize256(ReadOnlySpan<float> x, HgqElementParameters p, int first, RoundingMode rounding, OverflowMode overflow, Span<float> y, Span<byte> clipped)
    {
        int n = x.Length, i = 0;
        if (n < Vector256<float>.Count) return 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float scale = ref p.Scale[first];
        ref float inverse = ref p.Inverse[first];
        ref float low = ref p.Low[first];
        ref float high = ref p.High[first];
        var half = Vector256.Create(0.5f);
        var one = Vector256<float>.One;
        var zero = Vector256<float>.Zero;
        var infinity = Vector256.Create(float.PositiveInfinity);
        var saturates = overflow == OverflowMode.Wrap ? Vector256<float>.Zero : Vector256<float>.AllBitsSet;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref px, (nuint)i);
            var lo = Vector256.LoadUnsafe(ref low, (nuint)i);
            var hi = Vector256.LoadUnsafe(ref high, (nuint)i);
            var s = v * Vector256.LoadUnsafe(ref scale, (nuint)i);
            var floor = Vector256.Floor(s);
            var r = rounding switch
            {
                RoundingMode.Truncate => floor,
                // A select, not floor + (mask & 1): -0 + 0 would lose the sign of zero the scalar keeps.
                RoundingMode.RoundHalfUp => Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(s - floor, half), floor + one, floor),
                _ => Vector256.Round(s),
            };
            var inside = Vector256.GreaterThanOrEqual(r, lo) & Vector256.LessThanOrEqual(r, hi);
            var ok = Vector256.LessThan(Vector256.Abs(s), infinity)
                     & (~Vector256.Equals(s, zero) | Vector256.Equals(v, zero))
                     & (inside | saturates);
            if (ok.ExtractMostSignificantBits() != 0xFF)
            {
                int count = Vector256<float>.Count;
                QuantizeScalar(x.Slice(i, count), p, first + i, rounding, overflow, y.Slice(i, count), clipped.IsEmpty ? clipped : clipped.Slice(i, count));
                continue;
            }
            var code = Vector256.ConditionalSelect(inside, r, Vector256.ConditionalSelect(Vector256.GreaterThan(r, hi), hi, lo));
            (code * Vector256.LoadUnsafe(ref inverse, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
            if (!clipped.IsEmpty) WriteClipped(~inside.ExtractMostSignificantBits() & 0xFF, clipped.Slice(i, Vector256<float>.Count));
        }
        return i;
    }

    /// <summary>One byte per lane from a lane bit mask (clipping is rare: usually one zero store).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteClipped(uint bits, Span<byte> destination)
    {
        if (bits == 0)
        {
            destination.Clear();
            return;
        }
        for (int j = 0; j < destination.Length; j++) destination[j] = (byte)((bits >> j) & 1);
    }

    // ---- backward ---------------------------------------------------------------------------------------

    /// <summary>dx = g where <paramref name="clipped"/> is 0, else 0 (the straight-through gradient).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PassUnclipped(ReadOnlySpan<float> g, ReadOnlySpan<byte> clipped, Span<float> dx)
    {
        int n = g.Length;
        if (clipped.Length != n || dx.Length != n) throw new ArgumentException("span lengths differ");
        int i = 0;
        ref byte pc = ref MemoryMarshal.GetReference(clipped);
        // Blocks of 16 without a clipped entry are copied as they are; the others go entry by entry.
        for (; i <= n - 16; i += 16)
        {
            if (Vector128.LoadUnsafe(ref pc, (nuint)i) == Vector128<byte>.Zero) g.Slice(i, 16).CopyTo(dx.Slice(i, 16));
            else PassUnclippedScalar(g.Slice(i, 16), clipped.Slice(i, 16), dx.Slice(i, 16));
        }
        PassUnclippedScalar(g[i..], clipped[i..], dx[i..]);
    }

    /// <summary>g = 0 where <paramref name="clipped"/> is 1, in place (g handed over as the input's gradient).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ZeroClipped(Span<float> g, ReadOnlySpan<byte> clipped)
    {
        int n = g.Length;
        if (clipped.Length != n) throw new ArgumentException("span lengths differ");
        int i = 0;
        ref byte pc = ref MemoryMarshal.GetReference(clipped);
        // Blocks of 16 without a clipped entry stay as they are (the usual case); the others go entry by entry.
        for (; i <= n - 16; i += 16)
            if (Vector128.LoadUnsafe(ref pc, (nuint)i) != Vector128<byte>.Zero) ZeroClippedScalar(g.Slice(i, 16), clipped.Slice(i, 16));
        ZeroClippedScalar(g[i..], clipped[i..]);
    }

    public static void ZeroClippedScalar(Span<float> g, ReadOnlySpan<byte> clipped)
    {
        for (int i = 0; i < g.Length; i++) if (clipped[i] != 0) g[i] = 0f;
    }

    public static void PassUnclippedScalar(ReadOnlySpan<float> g, ReadOnlySpan<byte> clipped, Span<float> dx)
    {
        for (int i = 0; i < g.Length; i++) dx[i] = clipped[i] != 0 ? 0f : g[i];
    }

    /// <summary>
    /// The surrogate gradient of f per element: for e in [start, end), Σ over the batch of g (y - x) in double, in
    /// batch order (element e of sample n sits at n * <paramref name="elements"/> + e). Written as
    /// (float)(-ln 2 Σ) into <paramref name="df"/> (one f per element), or as the raw sums into
    /// <paramref name="sums"/> (groups add them up afterwards); exactly one of the two is given, of length end - start.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Surrogate(ReadOnlySpan<float> g, ReadOnlySpan<float> y, ReadOnlySpan<float> x, int batch, int elements, int start, int end, Span<float> df, Span<double> sums, bool accumulate = false)
    {
        if ((long)batch * elements > Math.Min(g.Length, Math.Min(y.Length, x.Length)) || start < 0 || end > elements || start > end)
            throw new ArgumentException("spans too short for the batch");
        if ((df.IsEmpty ? sums.Length : df.Length) != end - start || df.IsEmpty == sums.IsEmpty && end > start)
            throw new ArgumentException("give exactly one output of length end - start");
        if (accumulate && df.IsEmpty) throw new ArgumentException("only df can be accumulated into");
        int e = start;
        if (Vector512.IsHardwareAccelerated) e = Surrogate512(g, y, x, batch, elements, start, end, df, sums, accumulate);
        else if (Vector256.IsHardwareAccelerated) e = Surrogate256(g, y, x, batch, elements, start, end, df, sums, accumulate);
        SurrogateScalar(g, y, x, batch, elements, e, end, df.IsEmpty ? df : df[(e - start)..], sums.IsEmpty ? sums : sums[(e - start)..], accumulate);
    }

    /// <summary>
    /// Scalar reference twin of <see cref="Surrogate"/>. With <paramref name="accumulate"/>, df gets df + (float)(-ln 2 Σ)
    /// (one float addition, as adding a separately written gradient would give).
    /// </summary>
    public static void SurrogateScalar(ReadOnlySpan<float> g, ReadOnlySpan<float> y, ReadOnlySpan<float> x, int batch, int elements, int start, int end, Span<float> df, Span<double> sums, bool accumulate = false)
    {
        for (int e = start; e < end; e++)
        {
            double sum = 0;
            for (int n = 0; n < batch; n++)
            {
                int i = n * elements + e;
                sum += (double)g[i] * ((double)y[i] - x[i]);
            }
            if (df.IsEmpty) sums[e - start] = sum;
            else if (accumulate) df[e - start] += (float)(-Ln2 * sum);
            else df[e - start] = (float)(-Ln2 * sum);
        }
    }

    /// <summary>16 elements at a time (two double vectors), returns the first element it did not handle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Surrogate512(ReadOnlySpan<float> g, ReadOnlySpan<float> y, ReadOnlySpan<float> x, int batch, int elements, int start, int end, Span<float> df, Span<double> sums, bool accumulate = false)
    {
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float px = ref MemoryMarshal.GetReference(x);
        var minusLn2 = Vector512.Create(-Ln2);
        int e = start;
        int count = Vector512<float>.Count;
        // Four vectors of elements per walk down the batch: each sample's row is read in runs of four vectors instead
        // of one (fewer, longer strided walks). Every element still sums its batch in order n = 0, 1, ...
        for (; e <= end - 4 * count; e += 4 * count)
        {
            Vector512<double> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default, l3 = default, h3 = default;
            for (int n = 0; n < batch; n++)
            {
                nuint i = (nuint)(n * elements + e);
                Accumulate512(ref pg, ref py, ref px, i, ref l0, ref h0);
                Accumulate512(ref pg, ref py, ref px, i + (nuint)count, ref l1, ref h1);
                Accumulate512(ref pg, ref py, ref px, i + (nuint)(2 * count), ref l2, ref h2);
                Accumulate512(ref pg, ref py, ref px, i + (nuint)(3 * count), ref l3, ref h3);
            }
            int o = e - start;
            Store512(l0, h0, minusLn2, df, sums, o, accumulate);
            Store512(l1, h1, minusLn2, df, sums, o + count, accumulate);
            Store512(l2, h2, minusLn2, df, sums, o + 2 * count, accumulate);
            Store512(l3, h3, minusLn2, df, sums, o + 3 * count, accumulate);
        }
        for (; e <= end - Vector512<float>.Count; e += Vector512<float>.Count)
        {
            var low = Vector512<double>.Zero;
            var high = Vector512<double>.Zero;
            for (int n = 0; n < batch; n++)
            {
                nuint i = (nuint)(n * elements + e);
                var vg = Vector512.LoadUnsafe(ref pg, i);
                var vy = Vector512.LoadUnsafe(ref py, i);
                var vx = Vector512.LoadUnsafe(ref px, i);
                low += Vector512.WidenLower(vg) * (Vector512.WidenLower(vy) - Vector512.WidenLower(vx));
                high += Vector512.WidenUpper(vg) * (Vector512.WidenUpper(vy) - Vector512.WidenUpper(vx));
            }
            Store512(low, high, minusLn2, df, sums, e - start, accumulate);
        }
        return e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate512(ref float pg, ref float py, ref float px, nuint i, ref Vector512<double> low, ref Vector512<double> high)
    {
        var vg = Vector512.LoadUnsafe(ref pg, i);
        var vy = Vector512.LoadUnsafe(ref py, i);
        var vx = Vector512.LoadUnsafe(ref px, i);
        low += Vector512.WidenLower(vg) * (Vector512.WidenLower(vy) - Vector512.WidenLower(vx));
        high += Vector512.WidenUpper(vg) * (Vector512.WidenUpper(vy) - Vector512.WidenUpper(vx));
    }

    /// <summary>One vector of elements' sums: raw into sums, or as (float)(-ln 2 Σ) into (or added to) df at offset o.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(Vector512<double> low, Vector512<double> high, Vector512<double> minusLn2, Span<float> df, Span<double> sums, int o, bool accumulate)
    {
        if (df.IsEmpty)
        {
            low.CopyTo(sums.Slice(o, Vector512<double>.Count));
            high.CopyTo(sums.Slice(o + Vector512<double>.Count, Vector512<double>.Count));
            return;
        }
        var d = Vector512.Narrow(minusLn2 * low, minusLn2 * high);
        var target = df.Slice(o, Vector512<float>.Count);
        if (accumulate) d = Vector512.Create((ReadOnlySpan<float>)target) + d;
        d.CopyTo(target);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Surrogate256(ReadOnlySpan<float> g, ReadOnlySpan<float> y, ReadOnlySpan<float> x, int batch, int elements, int start, int end, Span<float> df, Span<double> sums, bool accumulate = false)
    {
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float px = ref MemoryMarshal.GetReference(x);
        var minusLn2 = Vector256.Create(-Ln2);
        int e = start;
        int count = Vector256<float>.Count;
        // Four vectors of elements per walk down the batch: each sample's row is read in runs of four vectors instead
        // of one (fewer, longer strided walks). Every element still sums its batch in order n = 0, 1, ...
        for (; e <= end - 4 * count; e += 4 * count)
        {
            Vector256<double> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default, l3 = default, h3 = default;
            for (int n = 0; n < batch; n++)
            {
                nuint i = (nuint)(n * elements + e);
                Accumulate256(ref pg, ref py, ref px, i, ref l0, ref h0);
                Accumulate256(ref pg, ref py, ref px, i + (nuint)count, ref l1, ref h1);
                Accumulate256(ref pg, ref py, ref px, i + (nuint)(2 * count), ref l2, ref h2);
                Accumulate256(ref pg, ref py, ref px, i + (nuint)(3 * count), ref l3, ref h3);
            }
            int o = e - start;
            Store256(l0, h0, minusLn2, df, sums, o, accumulate);
            Store256(l1, h1, minusLn2, df, sums, o + count, accumulate);
            Store256(l2, h2, minusLn2, df, sums, o + 2 * count, accumulate);
            Store256(l3, h3, minusLn2, df, sums, o + 3 * count, accumulate);
        }
        for (; e <= end - Vector256<float>.Count; e += Vector256<float>.Count)
        {
            var low = Vector256<double>.Zero;
            var high = Vector256<double>.Zero;
            for (int n = 0; n < batch; n++)
            {
                nuint i = (nuint)(n * elements + e);
                var vg = Vector256.LoadUnsafe(ref pg, i);
                var vy = Vector256.LoadUnsafe(ref py, i);
                var vx = Vector256.LoadUnsafe(ref px, i);
                low += Vector256.WidenLower(vg) * (Vector256.WidenLower(vy) - Vector256.WidenLower(vx));
                high += Vector256.WidenUpper(vg) * (Vector256.WidenUpper(vy) - Vector256.WidenUpper(vx));
            }
            Store256(low, high, minusLn2, df, sums, e - start, accumulate);
        }
        return e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate256(ref float pg, ref float py, ref float px, nuint i, ref Vector256<double> low, ref Vector256<double> high)
    {
        var vg = Vector256.LoadUnsafe(ref pg, i);
        var vy = Vector256.LoadUnsafe(ref py, i);
        var vx = Vector256.LoadUnsafe(ref px, i);
        low += Vector256.WidenLower(vg) * (Vector256.WidenLower(vy) - Vector256.WidenLower(vx));
        high += Vector256.WidenUpper(vg) * (Vector256.WidenUpper(vy) - Vector256.WidenUpper(vx));
    }

    /// <summary>One vector of elements' sums: raw into sums, or as (float)(-ln 2 Σ) into (or added to) df at offset o.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(Vector256<double> low, Vector256<double> high, Vector256<double> minusLn2, Span<float> df, Span<double> sums, int o, bool accumulate)
    {
        if (df.IsEmpty)
        {
            low.CopyTo(sums.Slice(o, Vector256<double>.Count));
            high.CopyTo(sums.Slice(o + Vector256<double>.Count, Vector256<double>.Count));
            return;
        }
        var d = Vector256.Narrow(minusLn2 * low, minusLn2 * high);
        var target = df.Slice(o, Vector256<float>.Count);
        if (accumulate) d = Vector256.Create((ReadOnlySpan<float>)target) + d;
        d.CopyTo(target);
    }

    // ---- ranges and f ----------------------------------------------------------------------------------

    /// <summary>Widens [lo, hi] element-wise to cover <paramref name="sample"/> (NaN is ignored, as by v &lt; lo).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Widen(ReadOnlySpan<float> sample, Span<float> lo, Span<float> hi)
    {
        int n = sample.Length;
        if (lo.Length != n || hi.Length != n) throw new ArgumentException("span lengths differ");
        ref float ps = ref MemoryMarshal.GetReference(sample);
        ref float pl = ref MemoryMarshal.GetReference(lo);
        ref float ph = ref MemoryMarshal.GetReference(hi);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref ps, (nuint)i);
                var l = Vector512.LoadUnsafe(ref pl, (nuint)i);
                var h = Vector512.LoadUnsafe(ref ph, (nuint)i);
                Vector512.ConditionalSelect(Vector512.LessThan(v, l), v, l).StoreUnsafe(ref pl, (nuint)i);
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, h), v, h).StoreUnsafe(ref ph, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref ps, (nuint)i);
                var l = Vector256.LoadUnsafe(ref pl, (nuint)i);
                var h = Vector256.LoadUnsafe(ref ph, (nuint)i);
                Vector256.ConditionalSelect(Vector256.LessThan(v, l), v, l).StoreUnsafe(ref pl, (nuint)i);
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, h), v, h).StoreUnsafe(ref ph, (nuint)i);
            }
        }
        WidenScalar(sample[i..], lo[i..], hi[i..]);
    }

    public static void WidenScalar(ReadOnlySpan<float> sample, Span<float> lo, Span<float> hi)
    {
        for (int e = 0; e < sample.Length; e++)
        {
            float v = sample[e];
            if (v < lo[e]) lo[e] = v;
            if (v > hi[e]) hi[e] = v;
        }
    }

    /// <summary>f = Math.Clamp(f, low, high) element-wise (NaN stays NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Clamp(Span<float> f, float low, float high)
    {
        int n = f.Length, i = 0;
        ref float pf = ref MemoryMarshal.GetReference(f);
        if (Vector512.IsHardwareAccelerated)
        {
            var lo = Vector512.Create(low);
            var hi = Vector512.Create(high);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref pf, (nuint)i);
                v = Vector512.ConditionalSelect(Vector512.LessThan(v, lo), lo, v);
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, hi), hi, v).StoreUnsafe(ref pf, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var lo = Vector256.Create(low);
            var hi = Vector256.Create(high);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref pf, (nuint)i);
                v = Vector256.ConditionalSelect(Vector256.LessThan(v, lo), lo, v);
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, hi), hi, v).StoreUnsafe(ref pf, (nuint)i);
            }
        }
        ClampScalar(f[i..], low, high);
    }

    public static void ClampScalar(Span<float> f, float low, float high)
    {
        for (int i = 0; i < f.Length; i++) f[i] = Math.Clamp(f[i], low, high);
    }
}
