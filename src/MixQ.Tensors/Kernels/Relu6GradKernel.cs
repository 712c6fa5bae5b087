using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>ReLU6 gradient: passes g where 0 &lt; x &lt; 6 (open interval, as PyTorch's hardtanh backward).</summary>
public readonly struct Relu6GradKernel : IElementwiseKernel
{
    public float Apply(float x, float g) => x > 0f && x < 6f ? g : 0f;

    public Vector512<float> Apply(Vector512<float> x, Vector512<float> g)
    {
        var inside = Vector512.GreaterThan(x, Vector512<float>.Zero) & Vector512.LessThan(x, Vector512.Create(6f));
        return inside & g;
    }

    public Vector256<float> Apply(Vector256<float> x, Vector256<float> g)
    {
        var inside = Vector256.GreaterThan(x, Vector256<float>.Zero) & Vector256.LessThan(x, Vector256.Create(6f));
        return inside & g;
    }
}
