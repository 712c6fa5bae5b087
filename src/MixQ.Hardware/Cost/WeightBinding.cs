namespace MixQ.Hardware.Cost;

/// <summary>Whether weights are read from memory at run time (a GEMM core) or baked into the logic (fully unrolled).</summary>
public enum WeightBinding
{
    Runtime,
    Constant,
}
