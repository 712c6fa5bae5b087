using System.Runtime.CompilerServices;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Portable fallback micro-kernel (no SIMD): a tile of up to 4 x 4 with one lane per "vector".
/// Uses the same fused multiply-add order as the SIMD kernels so every path rounds alike.
/// </summary>
internal readonly struct GemmKernelScalar : IGemmKernel
{
    private const int Tile = 4;

    public static bool IsSupported => true;
    public static int MaxRows => Tile;
    public static int Lanes => 1;
    public static int Width => Tile;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int rows, int vectors, int columns, int kc, float* a, nint aStride, float* b, nint bStride,
        float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[Tile * Tile];
        new Span<float>(acc, Tile * Tile).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < rows; r++)
            {
                float ar = a[r];
                for (int j = 0; j < vectors; j++)
                    acc[r * Tile + j] = MathF.FusedMultiplyAdd(ar, b[j], acc[r * Tile + j]);
            }
            a += aStride;
            b += bStride;
        }
        for (int r = 0; r < rows; r++)
        {
            float* cr = c + r * ldc;
            for (int j = 0; j < vectors; j++)
                cr[j] = beta == 0 ? acc[r * Tile + j] * alpha : MathF.FusedMultiplyAdd(acc[r * Tile + j], alpha, cr[j] * beta);
        }
    }
}
