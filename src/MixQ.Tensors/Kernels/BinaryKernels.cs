using System.Numerics.Tensors;

namespace MixQ.Tensors.Kernels;

// The standard arithmetic kernels for Broadcast.Apply (internal: callers outside the assembly use Ops). Each is a
// thin shim over TensorPrimitives so the SIMD work stays in the library; commutative ops reuse the vector-scalar
// overload for scalar-vector.

internal readonly struct AddKernel : IBinaryKernel
{
    public static void Vectors(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void VectorScalar(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void ScalarVector(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubtractKernel : IBinaryKernel
{
    public static void Vectors(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void VectorScalar(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void ScalarVector(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MultiplyKernel : IBinaryKernel
{
    public static void Vectors(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void VectorScalar(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void ScalarVector(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivideKernel : IBinaryKernel
{
    public static void Vectors(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void VectorScalar(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void ScalarVector(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
}

internal readonly struct MaximumKernel : IBinaryKernel
{
    public static void Vectors(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void VectorScalar(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void ScalarVector(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(y, x, d);
}

internal readonly struct MinimumKernel : IBinaryKernel
{
    public static void Vectors(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void VectorScalar(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void ScalarVector(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(y, x, d);
}

/// <summary>1 where the operands are equal, else 0: selects which operand of a max/min produced the result.</summary>
internal readonly struct EqualMaskKernel : IBinaryKernel
{
    public static void Vectors(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => GradientMasks.EqualMask(x, y, d);
    public static void VectorScalar(ReadOnlySpan<float> x, float y, Span<float> d) => GradientMasks.EqualMask(x, y, d);
    public static void ScalarVector(float x, ReadOnlySpan<float> y, Span<float> d) => GradientMasks.EqualMask(y, x, d);
}
