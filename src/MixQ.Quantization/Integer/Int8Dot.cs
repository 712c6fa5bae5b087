using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The integer GEMM of fixed-point (and narrow shift-code) rows: c[i, o] = Σ_k a[i, k] * w[o, k] with unsigned 8-bit
/// activations, signed 8-bit multiplicands and exact 32-bit sums (the caller guarantees they cannot overflow).
/// Paths: AVX-VNNI (vpdpbusd: 32 u8 x s8 products summed into 8 int32 lanes per instruction), AVX2 (widen to
/// int16, vpmaddwd: no saturation, unlike vpmaddubsw), and the scalar twin; all give the same integers
/// (integer sums are exact in any order). Four weight rows share each activation load.
/// </summary>
public static class Int8Dot
{
    /// <summary>Which instruction set <see cref="Gemm"/> uses on this machine.</summary>
    public static string Path => AvxVnni.IsSupported ? "avx-vnni" : Avx2.IsSupported ? "avx2" : "scalar";

    /// <summary>
    /// c[i * cStride + o] = Σ_{k &lt; length} a[i * aStride + k] * w[o * wStride + k] for i &lt; aRows, o &lt; wRows.
    /// </summary>
    public static void Gemm(ReadOnlySpan<byte> a, int aRows, int aStride, ReadOnlySpan<sbyte> w, int wRows, int wStride, int length, Span<int> c, int cStride)
    {
        Check(a, aRows, aStride, w, wRows, wStride, length, c, cStride);
        if (AvxVnni.IsSupported) GemmVnni(a, aRows, aStride, w, wRows, wStride, length, c, cStride);
        else if (Avx2.IsSupported) GemmAvx2(a, aRows, aStride, w, wRows, wStride, length, c, cStride);
        else GemmScalar(a, aRows, aStride, w, wRows, wStride, length, c, cStride);
    }

    /// <summary>Scalar reference twin.</summary>
    public static void GemmScalar(ReadOnlySpan<byte> a, int aRows, int aStride, ReadOnlySpan<sbyte> w, int wRows, int wStride, int length, Span<int> c, int cStride)
    {
        Check(a, aRows, aStride, w, wRows, wStride, length, c, cStride);
        for (int i = 0; i < aRows; i++)
            for (int o = 0; o < wRows; o++)
                c[i * cStride + o] = DotScalar(a.Slice(i * aStride, length), w.Slice(o * wStride, length));
    }

    public static void GemmVnni(ReadOnlySpan<byte> a, int aRows, int aStride, ReadOnlySpan<sbyte> w, int wRows, int wStride, int length, Span<int> c, int cStride)
    {
        if (!AvxVnni.IsSupported) throw new PlatformNotSupportedException("AVX-VNNI is not supported on this machine");
        Check(a, aRows, aStride, w, wRows, wStride, length, c, cStride);
        int body = length & ~31;
        ref byte a0 = ref MemoryMarshal.GetReference(a);
        ref sbyte w0 = ref MemoryMarshal.GetReference(w);
        for (int i = 0; i < aRows; i++)
        {
            ref byte ai = ref Unsafe.Add(ref a0, i * aStride);
            int o = 0;
            for (; o + 4 <= wRows; o += 4)
            {
                ref sbyte r0 = ref Unsafe.Add(ref w0, o * wStride);
                ref sbyte r1 = ref Unsafe.Add(ref r0, wStride);
                ref sbyte r2 = ref Unsafe.Add(ref r1, wStride);
                ref sbyte r3 = ref Unsafe.Add(ref r2, wStride);
                Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int k = 0; k < body; k += 32)
                {
                    var x = Vector256.LoadUnsafe(ref ai, (nuint)k);
                    s0 = AvxVnni.MultiplyWideningAndAdd(s0, x, Vector256.LoadUnsafe(ref r0, (nuint)k));
                    s1 = AvxVnni.MultiplyWideningAndAdd(s1, x, Vector256.LoadUnsafe(ref r1, (nuint)k));
                    s2 = AvxVnni.MultiplyWideningAndAdd(s2, x, Vector256.LoadUnsafe(ref r2, (nuint)k));
                    s3 = AvxVnni.MultiplyWideningAndAdd(s3, x, Vector256.LoadUnsafe(ref r3, (nuint)k));
                }
                int ci = i * cStride + o;
                c[ci] = Vector256.Sum(s0) + Tail(ref ai, ref r0, body, length);
                c[ci + 1] = Vector256.Sum(s1) + Tail(ref ai, ref r1, body, length);
                c[ci + 2] = Vector256.Sum(s2) + Tail(ref ai, ref r2, body, length);
                c[ci + 3] = Vector256.Sum(s3) + Tail(ref ai, ref r3, body, length);
            }
            for (; o < wRows; o++)
            {
                ref sbyte r0 = ref Unsafe.Add(ref w0, o * wStride);
                Vector256<int> s0 = default;
                for (int k = 0; k < body; k += 32)
                    s0 = AvxVnni.MultiplyWideningAndAdd(s0, Vector256.LoadUnsafe(ref ai, (nuint)k), Vector256.LoadUnsafe(ref r0, (nuint)k));
                c[i * cStride + o] = Vector256.Sum(s0) + Tail(ref ai, ref r0, body, length);
            }
        }
    }

    public static void GemmAvx2(ReadOnlySpan<byte> a, int aRows, int aStride, ReadOnlySpan<sbyte> w, int wRows, int wStride, int length, Span<int> c, int cStride)
    {
        if (!Avx2.IsSupported) throw new PlatformNotSupportedException("AVX2 is not supported on this machine");
        Check(a, aRows, aStride, w, wRows, wStride, length, c, cStride);
        int body = length & ~15;
        ref byte a0 = ref MemoryMarshal.GetReference(a);
        ref sbyte w0 = ref MemoryMarshal.GetReference(w);
        for (int i = 0; i < aRows; i++)
        {
            ref byte ai = ref Unsafe.Add(ref a0, i * aStride);
            int o = 0;
            for (; o + 4 <= wRows; o += 4)
            {
                ref sbyte r0 = ref Unsafe.Add(ref w0, o * wStride);
                ref sbyte r1 = ref Unsafe.Add(ref r0, wStride);
                ref sbyte r2 = ref Unsafe.Add(ref r1, wStride);
                ref sbyte r3 = ref Unsafe.Add(ref r2, wStride);
                Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int k = 0; k < body; k += 16)
                {
                    var x = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref ai, (nuint)k));
                    s0 += Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r0, (nuint)k)));
                    s1 += Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r1, (nuint)k)));
                    s2 += Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r2, (nuint)k)));
                    s3 += Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r3, (nuint)k)));
                }
                int ci = i * cStride + o;
                c[ci] = Vector256.Sum(s0) + Tail(ref ai, ref r0, body, length);
                c[ci + 1] = Vector256.Sum(s1) + Tail(ref ai, ref r1, body, length);
                c[ci + 2] = Vector256.Sum(s2) + Tail(ref ai, ref r2, body, length);
                c[ci + 3] = Vector256.Sum(s3) + Tail(ref ai, ref r3, body, length);
            }
            for (; o < wRows; o++)
            {
                ref sbyte r0 = ref Unsafe.Add(ref w0, o * wStride);
                Vector256<int> s0 = default;
                for (int k = 0; k < body; k += 16)
                    s0 += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref ai, (nuint)k)),
                        Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r0, (nuint)k)));
                c[i * cStride + o] = Vector256.Sum(s0) + Tail(ref ai, ref r0, body, length);
            }
        }
    }

    private static int DotScalar(ReadOnlySpan<byte> a, ReadOnlySpan<sbyte> w)
    {
        int sum = 0;
        for (int k = 0; k < a.Length; k++) sum += a[k] * w[k];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Tail(ref byte a, ref sbyte w, int from, int to)
    {
        int sum = 0;
        for (int k = from; k < to; k++) sum += Unsafe.Add(ref a, k) * Unsafe.Add(ref w, k);
        return sum;
    }

    private static void Check(ReadOnlySpan<byte> a, int aRows, int aStride, ReadOnlySpan<sbyte> w, int wRows, int wStride, int length, Span<int> c, int cStride)
    {
        if (aRows < 0 || wRows < 0 || length < 0 || aStride < length || wStride < length || cStride < wRows)
            throw new ArgumentException("inconsistent GEMM sizes");
        if (aRows > 0 && a.Length < (long)(aRows - 1) * aStride + length) throw new ArgumentException("a is too short", nameof(a));
        if (wRows > 0 && w.Length < (long)(wRows - 1) * wStride + length) throw new ArgumentException("w is too short", nameof(w));
        if (aRows > 0 && c.Length < (long)(aRows - 1) * cStride + wRows) throw new ArgumentException("c is too short", nameof(c));
    }
}
