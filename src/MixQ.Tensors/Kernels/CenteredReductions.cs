using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// One-pass reductions around a known mean, for normalisation layers: the centred sums need no scratch copy
/// of x - mean (which would cost a write and a re-read of every block). Two independent vector accumulators
/// hide the add latency; each method has a scalar twin that the tests compare against.
/// </summary>
public static class CenteredReductions
{
    /// <summary>sum((x - mean)^2).</summary>
    public static float SumSquaredDeviation(ReadOnlySpan<float> x, float mean)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float total = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 32)
        {
            var m = Vector512.Create(mean);
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i <= n - 32; i += 32)
            {
                var d0 = Vector512.LoadUnsafe(ref xr, (nuint)i) - m;
                var d1 = Vector512.LoadUnsafe(ref xr, (nuint)(i + 16)) - m;
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector512.FusedMultiplyAdd(d1, d1, acc1);
            }
            total = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            var m = Vector256.Create(mean);
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var d0 = Vector256.LoadUnsafe(ref xr, (nuint)i) - m;
                var d1 = Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)) - m;
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector256.FusedMultiplyAdd(d1, d1, acc1);
            }
            total = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++)
        {
            float d = x[i] - mean;
            total = MathF.FusedMultiplyAdd(d, d, total);
        }
        return total;
    }

    public static float SumSquaredDeviationScalar(ReadOnlySpan<float> x, float mean)
    {
        float total = 0f;
        foreach (float v in x) total += (v - mean) * (v - mean);
        return total;
    }

    /// <summary>(sum(g), sum(g (x - mean))): the two per-channel reductions of the batch-norm backward.</summary>
    public static (float SumG, float SumGCentred) SumAndCentredDot(ReadOnlySpan<float> g, ReadOnlySpan<float> x, float mean)
    {
        if (g.Length != x.Length) throw new ArgumentException("centred dot spans differ in length");
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float xr = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float sumG = 0f, sumGx = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 32)
        {
            var m = Vector512.Create(mean);
            Vector512<float> s0 = default, s1 = default, d0 = default, d1 = default;
            for (; i <= n - 32; i += 32)
            {
                var g0 = Vector512.LoadUnsafe(ref gr, (nuint)i);
                var g1 = Vector512.LoadUnsafe(ref gr, (nuint)(i + 16));
                s0 += g0;
                s1 += g1;
                d0 = Vector512.FusedMultiplyAdd(g0, Vector512.LoadUnsafe(ref xr, (nuint)i) - m, d0);
                d1 = Vector512.FusedMultiplyAdd(g1, Vector512.LoadUnsafe(ref xr, (nuint)(i + 16)) - m, d1);
            }
            sumG = Vector512.Sum(s0 + s1);
            sumGx = Vector512.Sum(d0 + d1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            var m = Vector256.Create(mean);
            Vector256<float> s0 = default, s1 = default, d0 = default, d1 = default;
            for (; i <= n - 16; i += 16)
            {
                var g0 = Vector256.LoadUnsafe(ref gr, (nuint)i);
                var g1 = Vector256.LoadUnsafe(ref gr, (nuint)(i + 8));
                s0 += g0;
                s1 += g1;
                d0 = Vector256.FusedMultiplyAdd(g0, Vector256.LoadUnsafe(ref xr, (nuint)i) - m, d0);
                d1 = Vector256.FusedMultiplyAdd(g1, Vector256.LoadUnsafe(ref xr, (nuint)(i + 8)) - m, d1);
            }
            sumG = Vector256.Sum(s0 + s1);
            sumGx = Vector256.Sum(d0 + d1);
        }
        for (; i < n; i++)
        {
            sumG += g[i];
            sumGx = MathF.FusedMultiplyAdd(g[i], x[i] - mean, sumGx);
        }
        return (sumG, sumGx);
    }

    public static (float SumG, float SumGCentred) SumAndCentredDotScalar(ReadOnlySpan<float> g, ReadOnlySpan<float> x, float mean)
    {
        float sumG = 0f, sumGx = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            sumG += g[i];
            sumGx += g[i] * (x[i] - mean);
        }
        return (sumG, sumGx);
    }
}
