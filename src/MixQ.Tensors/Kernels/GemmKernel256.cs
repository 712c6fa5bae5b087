using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// AVX2 micro-kernel: a tile of up to 6 rows x 16 columns of C held in 12 accumulators
/// while k runs, C[r, :] += A[r, p] * B[p, :] (one broadcast of A, two vector loads of B, 2 FMAs per row).
/// Generic over the row and vector count so the JIT emits straight-line code for each edge size
/// instead of padding small m with wasted FMAs.
/// </summary>
internal readonly struct GemmKernel256 : IGemmKernel
{
    public static bool IsSupported => Vector256.IsHardwareAccelerated && Avx.IsSupported;
    public static int MaxRows => 6;
    public static int Lanes => 8;
    public static int Width => 16;

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
        Vector256<float> c0x0 = default, c0x1 = default;
        Vector256<float> c1x0 = default, c1x1 = default;
        Vector256<float> c2x0 = default, c2x1 = default;
        Vector256<float> c3x0 = default, c3x1 = default;
        Vector256<float> c4x0 = default, c4x1 = default;
        Vector256<float> c5x0 = default, c5x1 = default;
        bool two = TVectors.Value > 1;
        // Fetch the C tile while k runs, so the stores at the end do not wait on cache misses.
        if (Sse.IsSupported)
        {
            { Sse.Prefetch0(c + 0 * ldc); if (two) Sse.Prefetch0(c + 0 * ldc + 15); }
            if (TRows.Value > 1) { Sse.Prefetch0(c + 1 * ldc); if (two) Sse.Prefetch0(c + 1 * ldc + 15); }
            if (TRows.Value > 2) { Sse.Prefetch0(c + 2 * ldc); if (two) Sse.Prefetch0(c + 2 * ldc + 15); }
            if (TRows.Value > 3) { Sse.Prefetch0(c + 3 * ldc); if (two) Sse.Prefetch0(c + 3 * ldc + 15); }
            if (TRows.Value > 4) { Sse.Prefetch0(c + 4 * ldc); if (two) Sse.Prefetch0(c + 4 * ldc + 15); }
            if (TRows.Value > 5) { Sse.Prefetch0(c + 5 * ldc); if (two) Sse.Prefetch0(c + 5 * ldc + 15); }
        }
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = two ? Vector256.Load(b + 8) : default;
            Vector256<float> ar;
            { ar = Vector256.Create(a[0]); c0x0 = Vector256.FusedMultiplyAdd(ar, b0, c0x0); if (two) c0x1 = Vector256.FusedMultiplyAdd(ar, b1, c0x1); }
            if (TRows.Value > 1) { ar = Vector256.Create(a[1]); c1x0 = Vector256.FusedMultiplyAdd(ar, b0, c1x0); if (two) c1x1 = Vector256.FusedMultiplyAdd(ar, b1, c1x1); }
            if (TRows.Value > 2) { ar = Vector256.Create(a[2]); c2x0 = Vector256.FusedMultiplyAdd(ar, b0, c2x0); if (two) c2x1 = Vector256.FusedMultiplyAdd(ar, b1, c2x1); }
            if (TRows.Value > 3) { ar = Vector256.Create(a[3]); c3x0 = Vector256.FusedMultiplyAdd(ar, b0, c3x0); if (two) c3x1 = Vector256.FusedMultiplyAdd(ar, b1, c3x1); }
            if (TRows.Value > 4) { ar = Vector256.Create(a[4]); c4x0 = Vector256.FusedMultiplyAdd(ar, b0, c4x0); if (two) c4x1 = Vector256.FusedMultiplyAdd(ar, b1, c4x1); }
            if (TRows.Value > 5) { ar = Vector256.Create(a[5]); c5x0 = Vector256.FusedMultiplyAdd(ar, b0, c5x0); if (two) c5x1 = Vector256.FusedMultiplyAdd(ar, b1, c5x1); }
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
        }
        else
        {
            // Ragged right edge: masked loads/stores touch only the valid columns of C.
            Vector256<float> m0 = Mask(columns), m1 = Mask(columns - 8);
            StoreRowMasked<TVectors>(c + 0 * ldc, c0x0, c0x1, m0, m1, alpha, beta);
            if (TRows.Value > 1) StoreRowMasked<TVectors>(c + 1 * ldc, c1x0, c1x1, m0, m1, alpha, beta);
            if (TRows.Value > 2) StoreRowMasked<TVectors>(c + 2 * ldc, c2x0, c2x1, m0, m1, alpha, beta);
            if (TRows.Value > 3) StoreRowMasked<TVectors>(c + 3 * ldc, c3x0, c3x1, m0, m1, alpha, beta);
            if (TRows.Value > 4) StoreRowMasked<TVectors>(c + 4 * ldc, c4x0, c4x1, m0, m1, alpha, beta);
            if (TRows.Value > 5) StoreRowMasked<TVectors>(c + 5 * ldc, c5x0, c5x1, m0, m1, alpha, beta);
        }
    }

    /// <summary>C = alpha * acc + beta * C, never reading C when beta is 0 (it may hold NaN garbage).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow<TVectors>(float* c, Vector256<float> x0, Vector256<float> x1, float alpha, float beta)
        where TVectors : struct, IGemmConst
    {
        var va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Vector256.Store(x0 * va, c);
            if (TVectors.Value > 1) Vector256.Store(x1 * va, c + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Vector256.Store(Vector256.FusedMultiplyAdd(x0, va, Vector256.Load(c) * vb), c);
            if (TVectors.Value > 1) Vector256.Store(Vector256.FusedMultiplyAdd(x1, va, Vector256.Load(c + 8) * vb), c + 8);
        }
    }

    /// <summary>Lanes [0, valid) set: the columns of one vector that exist in C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mask(int valid) =>
        Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(valid)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRowMasked<TVectors>(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> m0, Vector256<float> m1, float alpha, float beta)
        where TVectors : struct, IGemmConst
    {
        var va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Avx.MaskStore(c, m0, x0 * va);
            if (TVectors.Value > 1) Avx.MaskStore(c + 8, m1, x1 * va);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Avx.MaskStore(c, m0, Vector256.FusedMultiplyAdd(x0, va, Avx.MaskLoad(c, m0) * vb));
            if (TVectors.Value > 1) Avx.MaskStore(c + 8, m1, Vector256.FusedMultiplyAdd(x1, va, Avx.MaskLoad(c + 8, m1) * vb));
        }
    }
}
