namespace MixQ.Tensors;

/// <summary>Arithmetic operators as shorthand for the differentiable <see cref="Ops"/> (NumPy broadcasting).</summary>
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);

    public static Tensor operator +(Tensor a, float s) => Ops.AddScalar(a, s);
    public static Tensor operator +(float s, Tensor a) => Ops.AddScalar(a, s);
    public static Tensor operator -(Tensor a, float s) => Ops.AddScalar(a, -s);
    public static Tensor operator -(float s, Tensor a) => Ops.AddScalar(Ops.Neg(a), s);
    public static Tensor operator *(Tensor a, float s) => Ops.MulScalar(a, s);
    public static Tensor operator *(float s, Tensor a) => Ops.MulScalar(a, s);

    /// <summary>Division by a constant, done as multiplication by its reciprocal (may differ from a true divide in the last bit).</summary>
    public static Tensor operator /(Tensor a, float s) => Ops.MulScalar(a, 1f / s);

    public static Tensor operator /(float s, Tensor a) => Ops.Div(Scalar(s), a);

    public static Tensor operator -(Tensor a) => Ops.Neg(a);
}
