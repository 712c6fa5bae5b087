using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// GELU, tanh approximation (Hendrycks &amp; Gimpel; PyTorch's GELU(approximate="tanh")):
/// gelu(x) = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3).
/// Uses the identity 0.5 (1 + tanh(u)) = sigmoid(2u), so gelu(x) = x / (1 + exp(-2u)): one exp, no tanh.
/// </summary>
public readonly struct GeluKernel : IElementwiseKernel
{
    internal const float TwoC = 1.5957691216057308f;          // 2 sqrt(2/pi)
    internal const float TwoCK = 1.5957691216057308f * 0.044715f; // 2 sqrt(2/pi) * 0.044715

    public float Apply(float x, float unused)
    {
        float twoU = x * (TwoC + TwoCK * x * x);
        return x / (1f + MathF.Exp(-twoU));
    }

    public Vector512<float> Apply(Vector512<float> x, Vector512<float> unused)
    {
        var twoU = x * (Vector512.Create(TwoC) + Vector512.Create(TwoCK) * x * x);
        return x / (Vector512<float>.One + Vector512.Exp(-twoU));
    }

    public Vector256<float> Apply(Vector256<float> x, Vector256<float> unused)
    {
        var twoU = x * (Vector256.Create(TwoC) + Vector256.Create(TwoCK) * x * x);
        return x / (Vector256<float>.One + Vector256.Exp(-twoU));
    }
}
