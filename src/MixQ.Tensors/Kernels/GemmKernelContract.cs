namespace MixQ.Tensors.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: computes a rows x (vectors * Lanes) tile of
/// C = alpha * sum_p A[:, p] B[p, :] + beta * C over kc steps of k.
/// A is read as rows scalars per step (a[r], then a += aStride); B as vectors * Lanes floats per step
/// (b[0..], then b += bStride). Both strides let the same kernel run on packed panels or on operands in place.
/// </summary>
internal interface IGemmKernel
{
    static abstract bool IsSupported { get; }

    /// <summary>Most rows one call handles (MR).</summary>
    static abstract int MaxRows { get; }

    /// <summary>Columns per vector; a tile is 1 or 2 vectors wide.</summary>
    static abstract int Lanes { get; }

    /// <summary>Columns of a full tile (NR = 2 * Lanes): the width of a packed B sliver.</summary>
    static abstract int Width { get; }

    /// <summary>
    /// Updates columns [0, <paramref name="columns"/>) of the tile; columns beyond (the rest of the last vector)
    /// are neither read nor written. beta == 0 must overwrite C without reading it.
    /// </summary>
    static abstract unsafe void Run(int rows, int vectors, int columns, int kc, float* a, nint aStride, float* b, nint bStride,
        float* c, nint ldc, float alpha, float beta);
}

/// <summary>A compile-time integer: kernels generic over it get one specialised body per value.</summary>
internal interface IGemmConst
{
    static abstract int Value { get; }
}

internal readonly struct GemmConst1 : IGemmConst { public static int Value => 1; }
internal readonly struct GemmConst2 : IGemmConst { public static int Value => 2; }
internal readonly struct GemmConst3 : IGemmConst { public static int Value => 3; }
internal readonly struct GemmConst4 : IGemmConst { public static int Value => 4; }
internal readonly struct GemmConst5 : IGemmConst { public static int Value => 5; }
internal readonly struct GemmConst6 : IGemmConst { public static int Value => 6; }
internal readonly struct GemmConst7 : IGemmConst { public static int Value => 7; }
internal readonly struct GemmConst8 : IGemmConst { public static int Value => 8; }
internal readonly struct GemmConst9 : IGemmConst { public static int Value => 9; }
internal readonly struct GemmConst10 : IGemmConst { public static int Value => 10; }
internal readonly struct GemmConst11 : IGemmConst { public static int Value => 11; }
internal readonly struct GemmConst12 : IGemmConst { public static int Value => 12; }
internal readonly struct GemmConst13 : IGemmConst { public static int Value => 13; }
internal readonly struct GemmConst14 : IGemmConst { public static int Value => 14; }
