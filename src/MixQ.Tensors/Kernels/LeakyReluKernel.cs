using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>LeakyReLU: x for x &gt; 0, slope * x otherwise (the second operand is ignored).</summary>
public readonly struct LeakyReluKernel(float slope) : IElementwiseKernel
{
    public float Apply(float x, float unused) => x > 0f ? x : slope * x;

    public Vector512<float> Apply(Vector512<float> x, Vector512<float> unused) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * slope);

    public Vector256<float> Apply(Vector256<float> x, Vector256<float> unused) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * slope);
}
