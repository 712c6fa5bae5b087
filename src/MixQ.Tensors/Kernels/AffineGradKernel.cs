using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>dx = k g + a x + b (the expanded batch-norm input gradient) in one pass; first operand x, second g.</summary>
public readonly struct AffineGradKernel(float k, float a, float b) : IElementwiseKernel
{
    public float Apply(float x, float g) => MathF.FusedMultiplyAdd(k, g, MathF.FusedMultiplyAdd(a, x, b));

    public Vector512<float> Apply(Vector512<float> x, Vector512<float> g) =>
        Vector512.FusedMultiplyAdd(Vector512.Create(k), g, Vector512.FusedMultiplyAdd(Vector512.Create(a), x, Vector512.Create(b)));

    public Vector256<float> Apply(Vector256<float> x, Vector256<float> g) =>
        Vector256.FusedMultiplyAdd(Vector256.Create(k), g, Vector256.FusedMultiplyAdd(Vector256.Create(a), x, Vector256.Create(b)));
}
