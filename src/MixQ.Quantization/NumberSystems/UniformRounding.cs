using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// The hot loop of every uniform quantizer (fixed-point weights, activations): for each x,
/// t = fl(x * invScale), k = clamp(round_half_away(t * steps), minCode, maxCode), out = scale * (k / steps).
///
/// <para>Rounding is exact, not merely "round of the float product": t * steps is rounded to y in float, and
/// the error-free transformation err = fma(t, steps, -y) recovers the exact remainder, so the decision
/// "|t * steps| - floor(|y|) >= 1/2" is taken on the exact value: (frac - 1/2) + (±err), where frac = |y| - floor(|y|)
/// is exact, frac - 1/2 is exact (Sterbenz) whenever it is near zero, and the sign of a rounded sum is the sign
/// of the exact sum. Ties (t * steps exactly halfway) go away from zero, the project-wide rule.
/// Valid while |t * steps| &lt; 2^22, beyond which every code is clamped anyway (steps &lt;= 255).</para>
///
/// <para>Vector512 and Vector256 paths use the same IEEE operations in the same order as <see cref="CodeScalar"/>,
/// so all paths are bit-identical (tested on odd lengths).</para>
/// </summary>
internal static class UniformRounding
{
    public static void Apply(ReadOnlySpan<float> source, float invScale, int steps, int minCode, int maxCode, float scale, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source");
        int done = 0;
        if (Vector512.IsHardwareAccelerated) done = Apply512(source, invScale, steps, minCode, maxCode, scale, destination);
        else if (Vector256.IsHardwareAccelerated) done = Apply256(source, invScale, steps, minCode, maxCode, scale, destination);
        ApplyScalar(source[done..], invScale, steps, minCode, maxCode, scale, destination[done..]);
    }

    /// <summary>The integer code k of one value, as a float (exactly an integer, or ±0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float CodeScalar(float x, float invScale, float steps, float minCode, float maxCode)
    {
        float t = x * invScale;
        float y = t * steps;
        float err = MathF.FusedMultiplyAdd(t, steps, -y);
        float ay = MathF.Abs(y);
        float r = MathF.Floor(ay);
        float frac = ay - r;
        float e = y < 0f ? -err : err;
        float d = (frac - 0.5f) + e;
        float k = d >= 0f ? r + 1f : r + 0f;
        k = MathF.CopySign(k, t);
        return Math.Min(Math.Max(k, minCode), maxCode);
    }

    /// <summary>Scalar reference twin of the vector paths.</summary>
    public static void ApplyScalar(ReadOnlySpan<float> source, float invScale, int steps, int minCode, int maxCode, float scale, Span<float> destination)
    {
        float s = steps, lo = minCode, hi = maxCode;
        for (int i = 0; i < source.Length; i++)
            destination[i] = scale * (CodeScalar(source[i], invScale, s, lo, hi) / s);
    }

    /// <summary>Processes whole Vector512 blocks; returns how many elements it handled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Apply512(ReadOnlySpan<float> source, float invScale, int steps, int minCode, int maxCode, float scale, Span<float> destination)
    {
        int n = source.Length, i = 0;
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        var inv = Vector512.Create(invScale);
        var s = Vector512.Create((float)steps);
        var lo = Vector512.Create((float)minCode);
        var hi = Vector512.Create((float)maxCode);
        var sc = Vector512.Create(scale);
        var half = Vector512.Create(0.5f);
        var one = Vector512<float>.One;
        var zero = Vector512<float>.Zero;
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var t = Vector512.LoadUnsafe(ref src, (nuint)i) * inv;
            var y = t * s;
            var err = Vector512.FusedMultiplyAdd(t, s, -y);
            var ay = Vector512.Abs(y);
            var r = Vector512.Floor(ay);
            var frac = ay - r;
            var e = Vector512.ConditionalSelect(Vector512.LessThan(y, zero), -err, err);
            var d = (frac - half) + e;
            var k = r + (Vector512.GreaterThanOrEqual(d, zero) & one);
            k = Vector512.CopySign(k, t);
            k = Vector512.Min(Vector512.Max(k, lo), hi);
            (sc * (k / s)).StoreUnsafe(ref dst, (nuint)i);
        }
        return i;
    }

    /// <summary>Processes whole Vector256 blocks; returns how many elements it handled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Apply256(ReadOnlySpan<float> source, float invScale, int steps, int minCode, int maxCode, float scale, Span<float> destination)
    {
        int n = source.Length, i = 0;
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        var inv = Vector256.Create(invScale);
        var s = Vector256.Create((float)steps);
        var lo = Vector256.Create((float)minCode);
        var hi = Vector256.Create((float)maxCode);
        var sc = Vector256.Create(scale);
        var half = Vector256.Create(0.5f);
        var one = Vector256<float>.One;
        var zero = Vector256<float>.Zero;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var t = Vector256.LoadUnsafe(ref src, (nuint)i) * inv;
            var y = t * s;
            var err = Vector256.FusedMultiplyAdd(t, s, -y);
            var ay = Vector256.Abs(y);
            var r = Vector256.Floor(ay);
            var frac = ay - r;
            var e = Vector256.ConditionalSelect(Vector256.LessThan(y, zero), -err, err);
            var d = (frac - half) + e;
            var k = r + (Vector256.GreaterThanOrEqual(d, zero) & one);
            k = Vector256.CopySign(k, t);
            k = Vector256.Min(Vector256.Max(k, lo), hi);
            (sc * (k / s)).StoreUnsafe(ref dst, (nuint)i);
        }
        return i;
    }
}
