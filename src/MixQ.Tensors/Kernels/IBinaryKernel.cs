namespace MixQ.Tensors.Kernels;

/// <summary>
/// An elementwise binary operation in the three span shapes a broadcast run can take. <see cref="Broadcast.Apply{TKernel}"/>
/// calls one of them per contiguous inner run, so implementations should be whole-span (TensorPrimitives) calls.
/// Implementations must allow <c>destination</c> to be the very same span as a vector operand (in-place use).
/// </summary>
public interface IBinaryKernel
{
    /// <summary>destination[i] = op(x[i], y[i]).</summary>
    static abstract void Vectors(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);

    /// <summary>destination[i] = op(x[i], y).</summary>
    static abstract void VectorScalar(ReadOnlySpan<float> x, float y, Span<float> destination);

    /// <summary>destination[i] = op(x, y[i]).</summary>
    static abstract void ScalarVector(float x, ReadOnlySpan<float> y, Span<float> destination);
}
