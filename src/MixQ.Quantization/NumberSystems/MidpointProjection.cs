using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// The hot loop of PoT and SP2 projection: out = scale * sign(t) M[i], t = fl(x * invScale), i = the number of
/// midpoints &lt;= |t| (ties go to the larger magnitude).
///
/// <para>The scalar twin binary-searches the midpoints. The vector paths avoid gathers: starting from the top
/// magnitude they walk the midpoints downwards and subtract the gap M[j+1] - M[j] in every lane whose |t| is below
/// midpoint j, stopping as soon as no lane is. The levels are dyadic, every partial result is itself a level, so
/// each subtraction is exact and all paths are bit-identical (tested on odd lengths).</para>
/// </summary>
internal static class MidpointProjection
{
    /// <param name="midpoints">Ascending midpoints between adjacent magnitudes (exact in float).</param>
    /// <param name="magnitudes">Ascending magnitudes, one more than midpoints; the first is 0.</param>
    /// <param name="gaps">gaps[j] = magnitudes[j + 1] - magnitudes[j] (exact).</param>
    public static void Apply(ReadOnlySpan<float> source, float invScale, float[] midpoints, float[] magnitudes, float[] gaps, float scale, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source");
        int done = 0;
        if (Vector512.IsHardwareAccelerated) done = Apply512(source, invScale, midpoints, magnitudes, gaps, scale, destination);
        else if (Vector256.IsHardwareAccelerated) done = Apply256(source, invScale, midpoints, magnitudes, gaps, scale, destination);
        ApplyScalar(source[done..], invScale, midpoints, magnitudes, scale, destination[done..]);
    }

    /// <summary>Scalar reference twin.</summary>
    public static void ApplyScalar(ReadOnlySpan<float> source, float invScale, float[] midpoints, float[] magnitudes, float scale, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            float t = source[i] * invScale;
            destination[i] = scale * MathF.CopySign(magnitudes[MagnitudeIndex(midpoints, MathF.Abs(t))], t);
        }
    }

    /// <summary>The number of midpoints &lt;= a: the index of the nearest magnitude to a >= 0.</summary>
    public static int MagnitudeIndex(float[] midpoints, float a)
    {
        int lo = 0, len = midpoints.Length;
        while (len > 0)
        {
            int half = len >> 1;
            if (midpoints[lo + half] <= a)
            {
                lo += half + 1;
                len -= half + 1;
            }
            else len = half;
        }
        return lo;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Apply512(ReadOnlySpan<float> source, float invScale, float[] midpoints, float[] magnitudes, float[] gaps, float scale, Span<float> destination)
    {
        int n = source.Length, i = 0;
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        var inv = Vector512.Create(invScale);
        var sc = Vector512.Create(scale);
        var top = Vector512.Create(magnitudes[^1]);
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var t = Vector512.LoadUnsafe(ref src, (nuint)i) * inv;
            var a = Vector512.Abs(t);
            var v = top;
            for (int j = midpoints.Length - 1; j >= 0; j--)
            {
                var below = Vector512.GreaterThan(Vector512.Create(midpoints[j]), a);
                if (below.ExtractMostSignificantBits() == 0) break;
                v -= below & Vector512.Create(gaps[j]);
            }
            (sc * Vector512.CopySign(v, t)).StoreUnsafe(ref dst, (nuint)i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Apply256(ReadOnlySpan<float> source, float invScale, float[] midpoints, float[] magnitudes, float[] gaps, float scale, Span<float> destination)
    {
        int n = source.Length, i = 0;
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        var inv = Vector256.Create(invScale);
        var sc = Vector256.Create(scale);
        var top = Vector256.Create(magnitudes[^1]);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var t = Vector256.LoadUnsafe(ref src, (nuint)i) * inv;
            var a = Vector256.Abs(t);
            var v = top;
            for (int j = midpoints.Length - 1; j >= 0; j--)
            {
                var below = Vector256.GreaterThan(Vector256.Create(midpoints[j]), a);
                if (below.ExtractMostSignificantBits() == 0) break;
                v -= below & Vector256.Create(gaps[j]);
            }
            (sc * Vector256.CopySign(v, t)).StoreUnsafe(ref dst, (nuint)i);
        }
        return i;
    }
}
