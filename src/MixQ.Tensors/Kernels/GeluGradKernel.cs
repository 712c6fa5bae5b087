using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Exact derivative of <see cref="GeluKernel"/>, times g. With s = sigmoid(2u):
/// d/dx [x s] = s + x s (1 - s) d(2u)/dx, d(2u)/dx = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2).
/// </summary>
public readonly struct GeluGradKernel : IElementwiseKernel
{
    public float Apply(float x, float g)
    {
        float twoU = x * (GeluKernel.TwoC + GeluKernel.TwoCK * x * x);
        float s = 1f / (1f + MathF.Exp(-twoU));
        float dTwoU = GeluKernel.TwoC + 3f * GeluKernel.TwoCK * x * x;
        return g * (s + x * s * (1f - s) * dTwoU);
    }

    public Vector512<float> Apply(Vector512<float> x, Vector512<float> g)
    {
        var x2 = x * x;
        var twoU = x * (Vector512.Create(GeluKernel.TwoC) + Vector512.Create(GeluKernel.TwoCK) * x2);
        var s = Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-twoU));
        var dTwoU = Vector512.Create(GeluKernel.TwoC) + Vector512.Create(3f * GeluKernel.TwoCK) * x2;
        return g * (s + x * s * (Vector512<float>.One - s) * dTwoU);
    }

    public Vector256<float> Apply(Vector256<float> x, Vector256<float> g)
    {
        var x2 = x * x;
        var twoU = x * (Vector256.Create(GeluKernel.TwoC) + Vector256.Create(GeluKernel.TwoCK) * x2);
        var s = Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-twoU));
        var dTwoU = Vector256.Create(GeluKernel.TwoC) + Vector256.Create(3f * GeluKernel.TwoCK) * x2;
        return g * (s + x * s * (Vector256<float>.One - s) * dTwoU);
    }
}
