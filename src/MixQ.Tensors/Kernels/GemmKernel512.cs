using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// AVX-512 micro-kernel: a tile of up to 12 rows x 32 columns of C held in 24 accumulators
/// while k runs, C[r, :] += A[r, p] * B[p, :] (one broadcast of A, two vector loads of B, 2 FMAs per row).
/// Generic over the row and vector count so the JIT emits straight-line code for each edge size
/// instead of padding small m with wasted FMAs.
/// </summary>
internal readonly struct GemmKernel512 : IGemmKernel
{
    public static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
    public static int MaxRows => 12;
    public static int Lanes => 16;
    public static int Width => 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int rows, int vectors, int columns, int kc, float* a, nint aStride, float* b, nint bStride,
        float* c, nint ldc, float alpha, float beta)
    {
        if (vectors == 2)
        {
            switch (rows)
            {
                case 1: Tile<GemmConst1, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 2: Tile<GemmConst2, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 3: Tile<GemmConst3, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 4: Tile<GemmConst4, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 5: Tile<GemmConst5, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 6: Tile<GemmConst6, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 7: Tile<GemmConst7, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 8: Tile<GemmConst8, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 9: Tile<GemmConst9, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 10: Tile<GemmConst10, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 11: Tile<GemmConst11, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 12: Tile<GemmConst12, GemmConst2>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
            }
        }
        else
        {
            switch (rows)
            {
                case 1: Tile<GemmConst1, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 2: Tile<GemmConst2, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 3: Tile<GemmConst3, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 4: Tile<GemmConst4, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 5: Tile<GemmConst5, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 6: Tile<GemmConst6, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 7: Tile<GemmConst7, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 8: Tile<GemmConst8, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 9: Tile<GemmConst9, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 10: Tile<GemmConst10, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 11: Tile<GemmConst11, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
                case 12: Tile<GemmConst12, GemmConst1>(columns, kc, a, aStride, b, bStride, c, ldc, alpha, beta); return;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(rows));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile<TRows, TVectors>(int columns, int kc, float* a, nint aStride, float* b, nint bStride,
        float* c, nint ldc, float alpha, float beta)
        where TRows : struct, IGemmConst where TVectors : struct, IGemmConst
    {
        // Unused accumulators (rows >= TRows, vector >= TVectors) are dead code the JIT removes.
        Vector512<float> c0x0 = default, c0x1 = default;
        Vector512<float> c1x0 = default, c1x1 = default;
        Vector512<float> c2x0 = default, c2x1 = default;
        Vector512<float> c3x0 = default, c3x1 = default;
        Vector512<float> c4x0 = default, c4x1 = default;
        Vector512<float> c5x0 = default, c5x1 = default;
        Vector512<float> c6x0 = default, c6x1 = default;
        Vector512<float> c7x0 = default, c7x1 = default;
        Vector512<float> c8x0 = default, c8x1 = default;
        Vector512<float> c9x0 = default, c9x1 = default;
        Vector512<float> c10x0 = default, c10x1 = default;
        Vector512<float> c11x0 = default, c11x1 = default;
        bool two = TVectors.Value > 1;
        // Fetch the C tile while k runs, so the stores at the end do not wait on cache misses.
        if (Sse.IsSupported)
        {
            { Sse.Prefetch0(c + 0 * ldc); if (two) Sse.Prefetch0(c + 0 * ldc + 31); }
            if (TRows.Value > 1) { Sse.Prefetch0(c + 1 * ldc); if (two) Sse.Prefetch0(c + 1 * ldc + 31); }
            if (TRows.Value > 2) { Sse.Prefetch0(c + 2 * ldc); if (two) Sse.Prefetch0(c + 2 * ldc + 31); }
            if (TRows.Value > 3) { Sse.Prefetch0(c + 3 * ldc); if (two) Sse.Prefetch0(c + 3 * ldc + 31); }
            if (TRows.Value > 4) { Sse.Prefetch0(c + 4 * ldc); if (two) Sse.Prefetch0(c + 4 * ldc + 31); }
            if (TRows.Value > 5) { Sse.Prefetch0(c + 5 * ldc); if (two) Sse.Prefetch0(c + 5 * ldc + 31); }
            if (TRows.Value > 6) { Sse.Prefetch0(c + 6 * ldc); if (two) Sse.Prefetch0(c + 6 * ldc + 31); }
            if (TRows.Value > 7) { Sse.Prefetch0(c + 7 * ldc); if (two) Sse.Prefetch0(c + 7 * ldc + 31); }
            if (TRows.Value > 8) { Sse.Prefetch0(c + 8 * ldc); if (two) Sse.Prefetch0(c + 8 * ldc + 31); }
            if (TRows.Value > 9) { Sse.Prefetch0(c + 9 * ldc); if (two) Sse.Prefetch0(c + 9 * ldc + 31); }
            if (TRows.Value > 10) { Sse.Prefetch0(c + 10 * ldc); if (two) Sse.Prefetch0(c + 10 * ldc + 31); }
            if (TRows.Value > 11) { Sse.Prefetch0(c + 11 * ldc); if (two) Sse.Prefetch0(c + 11 * ldc + 31); }
        }
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = two ? Vector512.Load(b + 16) : default;
            Vector512<float> ar;
            { ar = Vector512.Create(a[0]); c0x0 = Vector512.FusedMultiplyAdd(ar, b0, c0x0); if (two) c0x1 = Vector512.FusedMultiplyAdd(ar, b1, c0x1); }
            if (TRows.Value > 1) { ar = Vector512.Create(a[1]); c1x0 = Vector512.FusedMultiplyAdd(ar, b0, c1x0); if (two) c1x1 = Vector512.FusedMultiplyAdd(ar, b1, c1x1); }
            if (TRows.Value > 2) { ar = Vector512.Create(a[2]); c2x0 = Vector512.FusedMultiplyAdd(ar, b0, c2x0); if (two) c2x1 = Vector512.FusedMultiplyAdd(ar, b1, c2x1); }
            if (TRows.Value > 3) { ar = Vector512.Create(a[3]); c3x0 = Vector512.FusedMultiplyAdd(ar, b0, c3x0); if (two) c3x1 = Vector512.FusedMultiplyAdd(ar, b1, c3x1); }
            if (TRows.Value > 4) { ar = Vector512.Create(a[4]); c4x0 = Vector512.FusedMultiplyAdd(ar, b0, c4x0); if (two) c4x1 = Vector512.FusedMultiplyAdd(ar, b1, c4x1); }
            if (TRows.Value > 5) { ar = Vector512.Create(a[5]); c5x0 = Vector512.FusedMultiplyAdd(ar, b0, c5x0); if (two) c5x1 = Vector512.FusedMultiplyAdd(ar, b1, c5x1); }
            if (TRows.Value > 6) { ar = Vector512.Create(a[6]); c6x0 = Vector512.FusedMultiplyAdd(ar, b0, c6x0); if (two) c6x1 = Vector512.FusedMultiplyAdd(ar, b1, c6x1); }
            if (TRows.Value > 7) { ar = Vector512.Create(a[7]); c7x0 = Vector512.FusedMultiplyAdd(ar, b0, c7x0); if (two) c7x1 = Vector512.FusedMultiplyAdd(ar, b1, c7x1); }
            if (TRows.Value > 8) { ar = Vector512.Create(a[8]); c8x0 = Vector512.FusedMultiplyAdd(ar, b0, c8x0); if (two) c8x1 = Vector512.FusedMultiplyAdd(ar, b1, c8x1); }
            if (TRows.Value > 9) { ar = Vector512.Create(a[9]); c9x0 = Vector512.FusedMultiplyAdd(ar, b0, c9x0); if (two) c9x1 = Vector512.FusedMultiplyAdd(ar, b1, c9x1); }
            if (TRows.Value > 10) { ar = Vector512.Create(a[10]); c10x0 = Vector512.FusedMultiplyAdd(ar, b0, c10x0); if (two) c10x1 = Vector512.FusedMultiplyAdd(ar, b1, c10x1); }
            if (TRows.Value > 11) { ar = Vector512.Create(a[11]); c11x0 = Vector512.FusedMultiplyAdd(ar, b0, c11x0); if (two) c11x1 = Vector512.FusedMultiplyAdd(ar, b1, c11x1); }
            a += aStride;
            b += bStride;
        }

        if (columns == TVectors.Value * Lanes)
        {
            StoreRow<TVectors>(c + 0 * ldc, c0x0, c0x1, alpha, beta);
            if (TRows.Value > 1) StoreRow<TVectors>(c + 1 * ldc, c1x0, c1x1, alpha, beta);
            if (TRows.Value > 2) StoreRow<TVectors>(c + 2 * ldc, c2x0, c2x1, alpha, beta);
            if (TRows.Value > 3) StoreRow<TVectors>(c + 3 * ldc, c3x0, c3x1, alpha, beta);
            if (TRows.Value > 4) StoreRow<TVectors>(c + 4 * ldc, c4x0, c4x1, alpha, beta);
            if (TRows.Value > 5) StoreRow<TVectors>(c + 5 * ldc, c5x0, c5x1, alpha, beta);
            if (TRows.Value > 6) StoreRow<TVectors>(c + 6 * ldc, c6x0, c6x1, alpha, beta);
            if (TRows.Value > 7) StoreRow<TVectors>(c + 7 * ldc, c7x0, c7x1, alpha, beta);
            if (TRows.Value > 8) StoreRow<TVectors>(c + 8 * ldc, c8x0, c8x1, alpha, beta);
            if (TRows.Value > 9) StoreRow<TVectors>(c + 9 * ldc, c9x0, c9x1, alpha, beta);
            if (TRows.Value > 10) StoreRow<TVectors>(c + 10 * ldc, c10x0, c10x1, alpha, beta);
            if (TRows.Value > 11) StoreRow<TVectors>(c + 11 * ldc, c11x0, c11x1, alpha, beta);
        }
        else
        {
            // Ragged right edge: masked loads/stores touch only the valid columns of C.
            Vector512<float> m0 = Mask(columns), m1 = Mask(columns - 16);
            StoreRowMasked<TVectors>(c + 0 * ldc, c0x0, c0x1, m0, m1, alpha, beta);
            if (TRows.Value > 1) StoreRowMasked<TVectors>(c + 1 * ldc, c1x0, c1x1, m0, m1, alpha, beta);
            if (TRows.Value > 2) StoreRowMasked<TVectors>(c + 2 * ldc, c2x0, c2x1, m0, m1, alpha, beta);
            if (TRows.Value > 3) StoreRowMasked<TVectors>(c + 3 * ldc, c3x0, c3x1, m0, m1, alpha, beta);
            if (TRows.Value > 4) StoreRowMasked<TVectors>(c + 4 * ldc, c4x0, c4x1, m0, m1, alpha, beta);
            if (TRows.Value > 5) StoreRowMasked<TVectors>(c + 5 * ldc, c5x0, c5x1, m0, m1, alpha, beta);
            if (TRows.Value > 6) StoreRowMasked<TVectors>(c + 6 * ldc, c6x0, c6x1, m0, m1, alpha, beta);
            if (TRows.Value > 7) StoreRowMasked<TVectors>(c + 7 * ldc, c7x0, c7x1, m0, m1, alpha, beta);
            if (TRows.Value > 8) StoreRowMasked<TVectors>(c + 8 * ldc, c8x0, c8x1, m0, m1, alpha, beta);
            if (TRows.Value > 9) StoreRowMasked<TVectors>(c + 9 * ldc, c9x0, c9x1, m0, m1, alpha, beta);
            if (TRows.Value > 10) StoreRowMasked<TVectors>(c + 10 * ldc, c10x0, c10x1, m0, m1, alpha, beta);
            if (TRows.Value > 11) StoreRowMasked<TVectors>(c + 11 * ldc, c11x0, c11x1, m0, m1, alpha, beta);
        }
    }

    /// <summary>C = alpha * acc + beta * C, never reading C when beta is 0 (it may hold NaN garbage).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow<TVectors>(float* c, Vector512<float> x0, Vector512<float> x1, float alpha, float beta)
        where TVectors : struct, IGemmConst
    {
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Vector512.Store(x0 * va, c);
            if (TVectors.Value > 1) Vector512.Store(x1 * va, c + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(x0, va, Vector512.Load(c) * vb), c);
            if (TVectors.Value > 1) Vector512.Store(Vector512.FusedMultiplyAdd(x1, va, Vector512.Load(c + 16) * vb), c + 16);
        }
    }

    /// <summary>Lanes [0, valid) set: the columns of one vector that exist in C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int valid) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(valid)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRowMasked<TVectors>(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> m0, Vector512<float> m1, float alpha, float beta)
        where TVectors : struct, IGemmConst
    {
        var va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Avx512F.MaskStore(c, m0, x0 * va);
            if (TVectors.Value > 1) Avx512F.MaskStore(c + 16, m1, x1 * va);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Avx512F.MaskStore(c, m0, Vector512.FusedMultiplyAdd(x0, va, Avx512F.MaskLoad(c, m0, default) * vb));
            if (TVectors.Value > 1) Avx512F.MaskStore(c + 16, m1, Vector512.FusedMultiplyAdd(x1, va, Avx512F.MaskLoad(c + 16, m1, default) * vb));
        }
    }
}
