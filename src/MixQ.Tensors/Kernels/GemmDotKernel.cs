using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// A * B^T without packing, for few rows and a deep k (the weight gradient of a per-sample convolution,
/// dW[OC x CKK] = dY[OC x HW] * cols[CKK x HW]^T). Both operands are contiguous along k, so each element of C
/// is a dot product: a 4 x 4 tile keeps 16 vector accumulators over k and reduces them at the end.
/// Packing B^T would cost as much as the whole product here, because each element of B is used only m times.
/// </summary>
internal static unsafe class GemmDotKernel
{
    private const int Tile = 4;

    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmOperands op)
    {
        for (int i = 0; i < op.M; i += Tile)
        {
            int rows = Math.Min(Tile, op.M - i);
            for (int j = 0; j < op.N; j += Tile)
            {
                int columns = Math.Min(Tile, op.N - j);
                float* a = op.A + i * op.Lda, b = op.B + j * op.Ldb, c = op.C + i * op.Ldc + j;
                switch (rows * 8 + columns)
                {
                    case 4 * 8 + 4: Dot<GemmConst4, GemmConst4>(op, a, b, c); break;
                    case 4 * 8 + 3: Dot<GemmConst4, GemmConst3>(op, a, b, c); break;
                    case 4 * 8 + 2: Dot<GemmConst4, GemmConst2>(op, a, b, c); break;
                    case 4 * 8 + 1: Dot<GemmConst4, GemmConst1>(op, a, b, c); break;
                    case 3 * 8 + 4: Dot<GemmConst3, GemmConst4>(op, a, b, c); break;
                    case 3 * 8 + 3: Dot<GemmConst3, GemmConst3>(op, a, b, c); break;
                    case 3 * 8 + 2: Dot<GemmConst3, GemmConst2>(op, a, b, c); break;
                    case 3 * 8 + 1: Dot<GemmConst3, GemmConst1>(op, a, b, c); break;
                    case 2 * 8 + 4: Dot<GemmConst2, GemmConst4>(op, a, b, c); break;
                    case 2 * 8 + 3: Dot<GemmConst2, GemmConst3>(op, a, b, c); break;
                    case 2 * 8 + 2: Dot<GemmConst2, GemmConst2>(op, a, b, c); break;
                    case 2 * 8 + 1: Dot<GemmConst2, GemmConst1>(op, a, b, c); break;
                    case 1 * 8 + 4: Dot<GemmConst1, GemmConst4>(op, a, b, c); break;
                    case 1 * 8 + 3: Dot<GemmConst1, GemmConst3>(op, a, b, c); break;
                    case 1 * 8 + 2: Dot<GemmConst1, GemmConst2>(op, a, b, c); break;
                    default: Dot<GemmConst1, GemmConst1>(op, a, b, c); break;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot<TRows, TColumns>(in GemmOperands op, float* a, float* b, float* c)
        where TRows : struct, IGemmConst where TColumns : struct, IGemmConst
    {
        int r = TRows.Value, q = TColumns.Value;
        nint lda = op.Lda, ldb = op.Ldb;
        float* a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        float* b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        int k = op.K, p = 0;
        // The ragged end of k is read with a masked load (faults suppressed, lanes zeroed), so the tail adds
        // zeros instead of needing a scalar loop.
        for (; p < k; p += 16)
        {
            Vector512<float> mask = k - p >= 16
                ? Vector512<float>.AllBitsSet
                : Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(k - p)).AsSingle();
            Vector512<float> x0 = Load(a + p, mask), y0 = Load(b + p, mask);
            Vector512<float> x1 = r > 1 ? Load(a1 + p, mask) : default, y1 = q > 1 ? Load(b1 + p, mask) : default;
            Vector512<float> x2 = r > 2 ? Load(a2 + p, mask) : default, y2 = q > 2 ? Load(b2 + p, mask) : default;
            Vector512<float> x3 = r > 3 ? Load(a3 + p, mask) : default, y3 = q > 3 ? Load(b3 + p, mask) : default;
            s00 = Vector512.FusedMultiplyAdd(x0, y0, s00);
            if (q > 1) s01 = Vector512.FusedMultiplyAdd(x0, y1, s01);
            if (q > 2) s02 = Vector512.FusedMultiplyAdd(x0, y2, s02);
            if (q > 3) s03 = Vector512.FusedMultiplyAdd(x0, y3, s03);
            if (r > 1)
            {
                s10 = Vector512.FusedMultiplyAdd(x1, y0, s10);
                if (q > 1) s11 = Vector512.FusedMultiplyAdd(x1, y1, s11);
                if (q > 2) s12 = Vector512.FusedMultiplyAdd(x1, y2, s12);
                if (q > 3) s13 = Vector512.FusedMultiplyAdd(x1, y3, s13);
            }
            if (r > 2)
            {
                s20 = Vector512.FusedMultiplyAdd(x2, y0, s20);
                if (q > 1) s21 = Vector512.FusedMultiplyAdd(x2, y1, s21);
                if (q > 2) s22 = Vector512.FusedMultiplyAdd(x2, y2, s22);
                if (q > 3) s23 = Vector512.FusedMultiplyAdd(x2, y3, s23);
            }
            if (r > 3)
            {
                s30 = Vector512.FusedMultiplyAdd(x3, y0, s30);
                if (q > 1) s31 = Vector512.FusedMultiplyAdd(x3, y1, s31);
                if (q > 2) s32 = Vector512.FusedMultiplyAdd(x3, y2, s32);
                if (q > 3) s33 = Vector512.FusedMultiplyAdd(x3, y3, s33);
            }
        }
        float alpha = op.Alpha, beta = op.Beta;
        nint ldc = op.Ldc;
        StoreRow<TColumns>(c, s00, s01, s02, s03, alpha, beta);
        if (r > 1) StoreRow<TColumns>(c + ldc, s10, s11, s12, s13, alpha, beta);
        if (r > 2) StoreRow<TColumns>(c + 2 * ldc, s20, s21, s22, s23, alpha, beta);
        if (r > 3) StoreRow<TColumns>(c + 3 * ldc, s30, s31, s32, s33, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* address, Vector512<float> mask) =>
        Avx512F.MaskLoad(address, mask, Vector512<float>.Zero);

    /// <summary>
    /// Reduces the row's 4 accumulators to their 4 sums at once: fold 512 to 256 bits, then two rounds of
    /// horizontal adds interleave the four vectors, then fold the 128-bit halves (13 operations instead of
    /// four separate 16-lane reductions).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TColumns>(float* c, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2,
        Vector512<float> s3, float alpha, float beta) where TColumns : struct, IGemmConst
    {
        int q = TColumns.Value;
        Vector256<float> a0 = s0.GetLower() + s0.GetUpper(), a1 = s1.GetLower() + s1.GetUpper();
        Vector256<float> a2 = s2.GetLower() + s2.GetUpper(), a3 = s3.GetLower() + s3.GetUpper();
        Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
        Vector128<float> sums = h.GetLower() + h.GetUpper();
        if (q == 4)
        {
            var va = Vector128.Create(alpha);
            Vector128.Store(beta == 0 ? sums * va : Vector128.FusedMultiplyAdd(sums, va, Vector128.Load(c) * Vector128.Create(beta)), c);
            return;
        }
        Store(c, sums.GetElement(0), alpha, beta);
        if (q > 1) Store(c + 1, sums.GetElement(1), alpha, beta);
        if (q > 2) Store(c + 2, sums.GetElement(2), alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, float sum, float alpha, float beta) =>
        *c = beta == 0 ? sum * alpha : MathF.FusedMultiplyAdd(sum, alpha, *c * beta);
}
