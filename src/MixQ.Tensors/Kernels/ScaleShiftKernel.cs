using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>Per-channel affine map y = scale * x + shift (BatchNorm forward/backward, folded normalisation).</summary>
public readonly struct ScaleShiftKernel(float scale, float shift) : IElementwiseKernel
{
    public float Apply(float x, float unused) => MathF.FusedMultiplyAdd(scale, x, shift);

    public Vector512<float> Apply(Vector512<float> x, Vector512<float> unused) =>
        Vector512.FusedMultiplyAdd(x, Vector512.Create(scale), Vector512.Create(shift));

    public Vector256<float> Apply(Vector256<float> x, Vector256<float> unused) =>
        Vector256.FusedMultiplyAdd(x, Vector256.Create(scale), Vector256.Create(shift));
}
