using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// An element-wise function of one or two inputs, given at three widths so that one loop driver
/// (<see cref="Elementwise"/>) can run it with AVX-512, AVX2 or plain scalar code. Implementations are structs
/// so the JIT specialises and inlines the driver for each function.
/// </summary>
public interface IElementwiseKernel
{
    /// <summary>The reference definition; the vector forms must compute the same function.</summary>
    float Apply(float x, float y);
    Vector512<float> Apply(Vector512<float> x, Vector512<float> y);
    Vector256<float> Apply(Vector256<float> x, Vector256<float> y);
}
