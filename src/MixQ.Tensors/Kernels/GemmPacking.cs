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
        if (Avx512F.IsSupported)
        {
            // Whole vectors, then one masked vector per ragged end: masked loads read nothing past the row and
            // fill zeros, so padding costs no extra stores. Slivers are at most 32 wide: at most 2 masked chunks.
            int full = width / 16 * 16;
            Vector512<float> load0 = Mask512(width - full), store0 = Mask512(dstStride - full);
            Vector512<float> load1 = Mask512(width - full - 16), store1 = Mask512(dstStride - full - 16);
            bool tail0 = full < dstStride, tail1 = full + 16 < dstStride;
            for (int p = 0; p < kc; p++, src += ld, dst += dstStride)
            {
                for (int j = 0; j < full; j += 16) Vector512.Store(Vector512.Load(src + j), dst + j);
                if (tail0) Avx512F.MaskStore(dst + full, store0, Avx512F.MaskLoad(src + full, load0, Vector512<float>.Zero));
                if (tail1) Avx512F.MaskStore(dst + full + 16, store1, Avx512F.MaskLoad(src + full + 16, load1, Vector512<float>.Zero));
                for (int j = full + 32; j < dstStride; j++) dst[j] = j < width ? src[j] : 0;
            }
            return;
        }
        for (int p = 0; p < kc; p++, src += ld, dst += dstStride)
        {
            int j = 0;
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
        if (!Avx.IsSupported)
        {
            for (int p = 0; p < kc; p++)
                for (int r = 0; r < dstStride; r++)
                    dst[p * dstStride + r] = r < rows ? src[r * ld + p] : 0;
            return;
        }
        // Groups of 8 rows through an in-register 8 x 8 transpose: one vector load per row and one vector store
        // per p. Missing rows of the last group are zeros, which also writes the padding up to dstStride;
        // a group that would run past dstStride stores only its valid lanes.
        int kc8 = kc / 8 * 8;
        for (int r = 0; r < dstStride; r += 8)
        {
            int valid = Math.Clamp(rows - r, 0, 8);
            int lanes = Math.Min(8, dstStride - r);
            for (int p = 0; p < kc8; p += 8)
                Transpose8(src + r * ld + p, ld, valid, dst + p * dstStride + r, dstStride, lanes);
            for (int p = kc8; p < kc; p++)
                for (int g = 0; g < lanes; g++)
                    dst[p * dstStride + r + g] = g < valid ? src[(r + g) * ld + p] : 0;
        }
    }

    private static Vector512<float> Mask512(int valid) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(valid)).AsSingle();

    /// <summary>
    /// Transposes an 8 (p) x 8 (rows) block: row g, column p lands at d[p * ds + g]. Rows from
    /// <paramref name="rows"/> on read as zero; only the first <paramref name="lanes"/> of each output are stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(float* s, nint ld, int rows, float* d, nint ds, int lanes)
    {
        Vector256<float> r0 = rows > 0 ? Avx.LoadVector256(s) : default;
        Vector256<float> r1 = rows > 1 ? Avx.LoadVector256(s + ld) : default;
        Vector256<float> r2 = rows > 2 ? Avx.LoadVector256(s + 2 * ld) : default;
        Vector256<float> r3 = rows > 3 ? Avx.LoadVector256(s + 3 * ld) : default;
        Vector256<float> r4 = rows > 4 ? Avx.LoadVector256(s + 4 * ld) : default;
        Vector256<float> r5 = rows > 5 ? Avx.LoadVector256(s + 5 * ld) : default;
        Vector256<float> r6 = rows > 6 ? Avx.LoadVector256(s + 6 * ld) : default;
        Vector256<float> r7 = rows > 7 ? Avx.LoadVector256(s + 7 * ld) : default;
        // unpack + shuffle gather, per 128-bit half, 4 rows' values of one p (s0 = p0 | p4, s1 = p1 | p5, ...);
        // the cross-half permute then joins rows 0-3 with rows 4-7.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Vector256<float> o0 = Avx.Permute2x128(s0, s4, 0x20), o1 = Avx.Permute2x128(s1, s5, 0x20);
        Vector256<float> o2 = Avx.Permute2x128(s2, s6, 0x20), o3 = Avx.Permute2x128(s3, s7, 0x20);
        Vector256<float> o4 = Avx.Permute2x128(s0, s4, 0x31), o5 = Avx.Permute2x128(s1, s5, 0x31);
        Vector256<float> o6 = Avx.Permute2x128(s2, s6, 0x31), o7 = Avx.Permute2x128(s3, s7, 0x31);
        if (lanes == 8)
        {
            Avx.Store(d, o0);
            Avx.Store(d + ds, o1);
            Avx.Store(d + 2 * ds, o2);
            Avx.Store(d + 3 * ds, o3);
            Avx.Store(d + 4 * ds, o4);
            Avx.Store(d + 5 * ds, o5);
            Avx.Store(d + 6 * ds, o6);
            Avx.Store(d + 7 * ds, o7);
            return;
        }
        Vector256<float> mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(lanes)).AsSingle();
        Avx.MaskStore(d, mask, o0);
        Avx.MaskStore(d + ds, mask, o1);
        Avx.MaskStore(d + 2 * ds, mask, o2);
        Avx.MaskStore(d + 3 * ds, mask, o3);
        Avx.MaskStore(d + 4 * ds, mask, o4);
        Avx.MaskStore(d + 5 * ds, mask, o5);
        Avx.MaskStore(d + 6 * ds, mask, o6);
        Avx.MaskStore(d + 7 * ds, mask, o7);
    }
}
