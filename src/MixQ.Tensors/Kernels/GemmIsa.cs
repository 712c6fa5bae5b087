namespace MixQ.Tensors.Kernels;

/// <summary>Which micro-kernel runs; Auto picks the widest the hardware accelerates.</summary>
internal enum GemmIsa
{
    Auto,
    Vector512,
    Vector256,
    Scalar,
}
