namespace MixQ.Tensors.Kernels;

/// <summary>Block sizes and thresholds, measured on an AVX-512 Xeon (48 KiB L1d, 2 MiB L2 per core).</summary>
internal static class GemmTuning
{
    public static int KC = Env("MIXQ_GEMM_KC", 256);
    public static int MC = Env("MIXQ_GEMM_MC", 144);
    public static int NC = Env("MIXQ_GEMM_NC", 1024);
    public static int DirectBMaxRows = Env("MIXQ_GEMM_DIRECTB", 48);

    public static int SwapMaxColumns = Env("MIXQ_GEMM_SWAPCOLS", 12);
    public static int DotMaxRows = Env("MIXQ_GEMM_DOTROWS", 32);
    public static int DotMinDepth = Env("MIXQ_GEMM_DOTDEPTH", 64);

    /// <summary>Below this many flops per extra thread, waking a worker costs more than it saves.</summary>
    public static double MinFlopsPerThread = Env("MIXQ_GEMM_MINFLOPS", 4_000_000);

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) && v > 0 ? v : fallback;
}
