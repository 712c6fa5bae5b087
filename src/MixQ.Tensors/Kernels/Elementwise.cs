using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>Loop drivers for <see cref="IElementwiseKernel"/>: widest available vectors, scalar tail.</summary>
public static class Elementwise
{
    /// <summary>destination[i] = kernel(x[i], y[i]). For one-input kernels pass the input as both.</summary>
    public static void Apply<TKernel>(TKernel kernel, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TKernel : struct, IElementwiseKernel
    {
        int n = x.Length;
        if (y.Length != n || destination.Length < n) throw new ArgumentException("element-wise spans differ in length");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var r = kernel.Apply(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i));
                r.StoreUnsafe(ref dr, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var r = kernel.Apply(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i));
                r.StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref dr, i) = kernel.Apply(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }

    /// <summary>The scalar twin of <see cref="Apply{TKernel}"/>: the reference the vector paths are tested against.</summary>
    public static void ApplyScalar<TKernel>(TKernel kernel, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
        where TKernel : struct, IElementwiseKernel
    {
        if (y.Length != x.Length || destination.Length < x.Length) throw new ArgumentException("element-wise spans differ in length");
        for (int i = 0; i < x.Length; i++) destination[i] = kernel.Apply(x[i], y[i]);
    }
}
