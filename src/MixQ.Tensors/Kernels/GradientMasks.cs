using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Branch-free selection kernels for the backward passes of piecewise ops (relu, abs, clamp, max/min), which
/// TensorPrimitives has no single call for. Each has a Vector512/Vector256 body and a scalar reference twin
/// (<c>...Scalar</c>) that also handles the tail; the twins are tested against each other on odd lengths.
/// The destination may be the same span as any input.
/// </summary>
public static class GradientMasks
{
    /// <summary>destination[i] = x[i] == y[i] ? 1 : 0 (NaN compares unequal).</summary>
    public static void EqualMask(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        int n = CheckLengths(x.Length, y.Length, destination.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var eq = Vector512.Equals(Vector512.LoadUnsafe(ref px, (nuint)i), Vector512.LoadUnsafe(ref py, (nuint)i));
                (eq & Vector512<float>.One).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var eq = Vector256.Equals(Vector256.LoadUnsafe(ref px, (nuint)i), Vector256.LoadUnsafe(ref py, (nuint)i));
                (eq & Vector256<float>.One).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        EqualMaskScalar(x[i..], y[i..], destination[i..]);
    }

    /// <summary>destination[i] = x[i] == y ? 1 : 0.</summary>
    public static void EqualMask(ReadOnlySpan<float> x, float y, Span<float> destination)
    {
        int n = CheckLengths(x.Length, x.Length, destination.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vy = Vector512.Create(y);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                (Vector512.Equals(Vector512.LoadUnsafe(ref px, (nuint)i), vy) & Vector512<float>.One).StoreUnsafe(ref pd, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vy = Vector256.Create(y);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                (Vector256.Equals(Vector256.LoadUnsafe(ref px, (nuint)i), vy) & Vector256<float>.One).StoreUnsafe(ref pd, (nuint)i);
        }
        EqualMaskScalar(x[i..], y, destination[i..]);
    }

    /// <summary>destination[i] = x[i] &gt; 0 ? g[i] : 0 — the relu backward (derivative taken as 0 at x = 0).</summary>
    public static void PassWherePositive(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination)
    {
        int n = CheckLengths(x.Length, g.Length, destination.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var keep = Vector512.GreaterThan(Vector512.LoadUnsafe(ref px, (nuint)i), Vector512<float>.Zero);
                (keep & Vector512.LoadUnsafe(ref pg, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var keep = Vector256.GreaterThan(Vector256.LoadUnsafe(ref px, (nuint)i), Vector256<float>.Zero);
                (keep & Vector256.LoadUnsafe(ref pg, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        PassWherePositiveScalar(x[i..], g[i..], destination[i..]);
    }

    /// <summary>destination[i] = low &lt;= x[i] &lt;= high ? g[i] : 0 — the clamp backward (NaN passes nothing).</summary>
    public static void PassWhereInRange(ReadOnlySpan<float> x, float low, float high, ReadOnlySpan<float> g, Span<float> destination)
    {
        int n = CheckLengths(x.Length, g.Length, destination.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var lo = Vector512.Create(low);
            var hi = Vector512.Create(high);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var vx = Vector512.LoadUnsafe(ref px, (nuint)i);
                var keep = Vector512.GreaterThanOrEqual(vx, lo) & Vector512.LessThanOrEqual(vx, hi);
                (keep & Vector512.LoadUnsafe(ref pg, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var lo = Vector256.Create(low);
            var hi = Vector256.Create(high);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var vx = Vector256.LoadUnsafe(ref px, (nuint)i);
                var keep = Vector256.GreaterThanOrEqual(vx, lo) & Vector256.LessThanOrEqual(vx, hi);
                (keep & Vector256.LoadUnsafe(ref pg, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        PassWhereInRangeScalar(x[i..], low, high, g[i..], destination[i..]);
    }

    /// <summary>destination[i] = sign(x[i]) * g[i] with sign(0) = sign(NaN) = 0 — the abs backward.</summary>
    public static void MultiplyBySign(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination)
    {
        int n = CheckLengths(x.Length, g.Length, destination.Length);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pg = ref MemoryMarshal.GetReference(g);
        ref float pd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var vx = Vector512.LoadUnsafe(ref px, (nuint)i);
                var vg = Vector512.LoadUnsafe(ref pg, (nuint)i);
                var positive = Vector512.GreaterThan(vx, Vector512<float>.Zero) & vg;
                Vector512.ConditionalSelect(Vector512.LessThan(vx, Vector512<float>.Zero), -vg, positive).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var vx = Vector256.LoadUnsafe(ref px, (nuint)i);
                var vg = Vector256.LoadUnsafe(ref pg, (nuint)i);
                var positive = Vector256.GreaterThan(vx, Vector256<float>.Zero) & vg;
                Vector256.ConditionalSelect(Vector256.LessThan(vx, Vector256<float>.Zero), -vg, positive).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        MultiplyBySignScalar(x[i..], g[i..], destination[i..]);
    }

    // ---- scalar reference twins (also the SIMD tails) ----------------------------------------------------

    public static void EqualMaskScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        CheckLengths(x.Length, y.Length, destination.Length);
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] == y[i] ? 1f : 0f;
    }

    public static void EqualMaskScalar(ReadOnlySpan<float> x, float y, Span<float> destination)
    {
        CheckLengths(x.Length, x.Length, destination.Length);
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] == y ? 1f : 0f;
    }

    public static void PassWherePositiveScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination)
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] > 0f ? g[i] : 0f;
    }

    public static void PassWhereInRangeScalar(ReadOnlySpan<float> x, float low, float high, ReadOnlySpan<float> g, Span<float> destination)
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] >= low && x[i] <= high ? g[i] : 0f;
    }

    public static void MultiplyBySignScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination)
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] > 0f ? g[i] : x[i] < 0f ? -g[i] : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CheckLengths(int a, int b, int destination)
    {
        if (a != b || destination != a)
            throw new ArgumentException($"span lengths differ: {a}, {b} and destination {destination}");
        return a;
    }
}
