using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>LeakyReLU gradient: g for x &gt; 0, slope * g otherwise.</summary>
public readonly struct LeakyReluGradKernel(float slope) : IElementwiseKernel
{
    public float Apply(float x, float g) => x > 0f ? g : slope * g;

    public Vector512<float> Apply(Vector512<float> x, Vector512<float> g) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, g * slope);

    public Vector256<float> Apply(Vector256<float> x, Vector256<float> g) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, g * slope);
}
