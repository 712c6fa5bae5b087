using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Packs blocks of op(A) and op(B) into the k-major slivers the micro-kernels stream:
/// an A sliver stores, for each p, its rows' A[r, p] contiguously; a B sliver stores, for each p, its columns'
/// B[p, j] contiguously (zero-padded to whole vectors). Whether a copy or a transpose is needed depends only on
/// which index is contiguous in memory, so the four transpose combinations reduce to two primitives.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[ic.., pc..] (mc x kc) as evenly split slivers of at most maxRows rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(in GemmOperands op, int ic, int mc, int pc, int kc, int maxRows, float* dst)
    {
        int count = GemmSlivers.Count(mc, maxRows);
        for (int s = 0; s < count; s++)
        {
            var (start, rows) = GemmSlivers.Get(mc, count, s);
            float* src = op.AAt(ic + start, pc);
            if (op.TransA)
                CopyRows(src, op.Lda, rows, kc, dst + start * kc, rows);
            else
                TransposeRows(src, op.Lda, rows, kc, dst + start * kc, rows);
        }
    }

    /// <summary>
    /// Packs op(B)[pc.., jc..] (kc x nc) as slivers of <paramref name="width"/> columns; sliver t starts at
    /// dst + t * width * kc and a partial last sliver is zero-padded to whole vectors of <paramref name="lanes"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(in GemmOperands op, int jc, int nc, int pc, int kc, int width, int lanes, float* dst)
    {
        for (int c0 = 0; c0 < nc; c0 += width)
        {
            int columns = Math.Min(width, nc - c0);
            int stride = GemmSlivers.RoundUp(columns, lanes);
            float* src = op.BAt(pc, jc + c0);
            if (op.TransB)
                TransposeRows(src, op.Ldb, columns, kc, dst + c0 * kc, stride);
            else
                CopyRows(src, op.Ldb, columns, kc, dst + c0 * kc, stride);
        }
    }

    /// <summary>dst[p * dstStride + j] = src[p * ld + j] for j &lt; width, zero up to dstStride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyRows(float* src, nint ld, int width, int kc, float* dst, int dstStride)
    {
        for (int p = 0; p < kc; p++, src += ld, dst += dstStride)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + 16 <= width; j += 16) Vector512.Store(Vector512.Load(src + j), dst + j);
            if (Vector256.IsHardwareAccelerated)
                for (; j + 8 <= width; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
            for (; j < width; j++) dst[j] = src[j];
            for (; j < dstStride; j++) dst[j] = 0;
        }
    }

    /// <summary>dst[p * dstStride + r] = src[r * ld + p] for r &lt; rows, zero up to dstStride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposeRows(float* src, nint ld, int rows, int kc, float* dst, int dstStride)
    {
        int r = 0;
        if (Avx.IsSupported)
        {
            // 8 (then 4) rows at a time through an in-register 8 x 8 transpose: one vector load per row and
            // one vector store per p, instead of a scalar load and store per element.
            while (r + 4 <= rows)
            {
                int group = r + 8 <= rows ? 8 : 4;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                    Transpose8(src + r * ld + p, ld, group, dst + p * dstStride + r, dstStride);
                for (; p < kc; p++)
                    for (int g = 0; g < group; g++)
                        dst[p * dstStride + r + g] = src[(r + g) * ld + p];
                r += group;
            }
        }
        for (; r < rows; r++)
        {
            float* s = src + r * ld;
            for (int p = 0; p < kc; p++) dst[p * dstStride + r] = s[p];
        }
        if (rows < dstStride)
            for (int p = 0; p < kc; p++)
                for (int g = rows; g < dstStride; g++) dst[p * dstStride + g] = 0;
    }

    /// <summary>Transposes an 8 (p) x 4-or-8 (rows) block: row r, column p lands at d[p * ds + r].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(float* s, nint ld, int rows, float* d, nint ds)
    {
        Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ld);
        Vector256<float> r2 = Avx.LoadVector256(s + 2 * ld), r3 = Avx.LoadVector256(s + 3 * ld);
        // unpack + shuffle gather, per 128-bit half, the 4 rows' values of one p: s0 = p0 | p4, s1 = p1 | p5, ...
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        if (rows == 4)
        {
            Vector128.Store(s0.GetLower(), d);
            Vector128.Store(s1.GetLower(), d + ds);
            Vector128.Store(s2.GetLower(), d + 2 * ds);
            Vector128.Store(s3.GetLower(), d + 3 * ds);
            Vector128.Store(s0.GetUpper(), d + 4 * ds);
            Vector128.Store(s1.GetUpper(), d + 5 * ds);
            Vector128.Store(s2.GetUpper(), d + 6 * ds);
            Vector128.Store(s3.GetUpper(), d + 7 * ds);
            return;
        }
        Vector256<float> r4 = Avx.LoadVector256(s + 4 * ld), r5 = Avx.LoadVector256(s + 5 * ld);
        Vector256<float> r6 = Avx.LoadVector256(s + 6 * ld), r7 = Avx.LoadVector256(s + 7 * ld);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(d + ds, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(d + 2 * ds, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(d + 3 * ds, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(d + 4 * ds, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(d + 5 * ds, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(d + 6 * ds, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(d + 7 * ds, Avx.Permute2x128(s3, s7, 0x31));
    }
}
