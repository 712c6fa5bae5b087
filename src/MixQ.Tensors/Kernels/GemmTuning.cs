namespace MixQ.Tensors.Kernels;

/// <summary>
/// Block sizes and path thresholds, measured on an AVX-512 Xeon (48 KiB L1d, 2 MiB L2 per core) against
/// OpenBLAS with bench/gemm.sh. KC x 32 floats of a B sliver plus a 12 x KC A sliver keep the micro-kernel's
/// working set inside L1; KC x NC of packed B (1 MiB) stays in L2.
/// </summary>
internal static class GemmTuning
{
    public const int KC = 256;
    public const int MC = 144;
    public const int NC = 1024;

    /// <summary>B is read in place (not packed) when C has at most this many rows: each B element is reused
    /// only once per row sliver, too few times to repay a copy.</summary>
    public const int DirectBMaxRows = 48;

    /// <summary>Products at most this wide are computed transposed (see <see cref="GemmOperands.Transposed"/>).</summary>
    public const int SwapMaxColumns = 12;

    /// <summary>A * B^T uses dot products when it has at most this many rows and at least this depth.</summary>
    public const int DotMaxRows = 32;
    public const int DotMinDepth = 64;
    public const double DotMaxFlops = 32_000_000;

    /// <summary>Largest packed B (floats, 128 MiB) that row-splitting workers share.</summary>
    public const long SharedBMaxFloats = 32L << 20;

    /// <summary>Below this many flops per extra thread, waking a worker costs more than it saves.</summary>
    public const double MinFlopsPerThread = 4_000_000;
}
