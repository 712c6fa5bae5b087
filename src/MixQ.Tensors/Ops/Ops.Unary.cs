using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

// Elementwise unary ops. Where the derivative is a function of the output (exp, sqrt, tanh, sigmoid) the
// backward reuses the saved result instead of recomputing from the input.
public static partial class Ops
{
    /// <summary>-x.</summary>
    public static Tensor Neg(Tensor x) => Unary("neg", x, TensorPrimitives.Negate, (_, _, g, dx) => TensorPrimitives.Negate(g, dx));

    /// <summary>e^x; d/dx = e^x (the output).</summary>
    public static Tensor Exp(Tensor x) =>
        Unary("exp", x, TensorPrimitives.Exp, (_, y, g, dx) => TensorPrimitives.Multiply(g, y, dx));

    /// <summary>Natural log; d/dx = 1 / x.</summary>
    public static Tensor Log(Tensor x) =>
        Unary("log", x, TensorPrimitives.Log, (x, _, g, dx) => TensorPrimitives.Divide(g, x, dx));

    /// <summary>Square root; d/dx = 1 / (2 sqrt x) = 0.5 / y.</summary>
    public static Tensor Sqrt(Tensor x) => Unary("sqrt", x, TensorPrimitives.Sqrt, (_, y, g, dx) =>
    {
        TensorPrimitives.Divide(g, y, dx);
        TensorPrimitives.Multiply(dx, 0.5f, dx);
    });

    /// <summary>tanh; d/dx = 1 - y^2.</summary>
    public static Tensor Tanh(Tensor x) => Unary("tanh", x, TensorPrimitives.Tanh, (_, y, g, dx) =>
    {
        TensorPrimitives.Multiply(y, y, dx);
        TensorPrimitives.Subtract(1f, dx, dx);
        TensorPrimitives.Multiply(dx, g, dx);
    });

    /// <summary>Logistic sigmoid 1 / (1 + e^-x); d/dx = y (1 - y).</summary>
    public static Tensor Sigmoid(Tensor x) => Unary("sigmoid", x, TensorPrimitives.Sigmoid, (_, y, g, dx) =>
    {
        TensorPrimitives.Subtract(1f, y, dx);
        TensorPrimitives.Multiply(dx, y, dx);
        TensorPrimitives.Multiply(dx, g, dx);
    });

    /// <summary>max(x, 0); d/dx = 1 for x &gt; 0, else 0.</summary>
    public static Tensor Relu(Tensor x) => Unary("relu", x, (s, d) => TensorPrimitives.Max(s, 0f, d),
        (x, _, g, dx) => GradientMasks.PassWherePositive(x, g, dx));

    /// <summary>|x|; d/dx = sign(x), taken as 0 at x = 0.</summary>
    public static Tensor Abs(Tensor x) =>
        Unary("abs", x, TensorPrimitives.Abs, (x, _, g, dx) => GradientMasks.MultiplyBySign(x, g, dx));

    /// <summary>x^2; d/dx = 2x.</summary>
    public static Tensor Square(Tensor x) => Unary("square", x, (s, d) => TensorPrimitives.Multiply(s, s, d), (x, _, g, dx) =>
    {
        TensorPrimitives.Multiply(x, g, dx);
        TensorPrimitives.Multiply(dx, 2f, dx);
    });

    /// <summary>x limited to [min, max]; the gradient is 1 inside the closed interval and 0 outside.</summary>
    public static Tensor Clamp(Tensor x, float min, float max)
    {
        if (!(min <= max)) throw new ArgumentException($"clamp bounds are reversed: min {min} > max {max}");
        return Unary("clamp", x, (s, d) => TensorPrimitives.Clamp(s, min, max, d),
            (x, _, g, dx) => GradientMasks.PassWhereInRange(x, min, max, g, dx));
    }

    private delegate void Forward(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>Writes the input gradient dx given the input x, output y and output gradient g (dx may be a scratch span).</summary>
    private delegate void LocalGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx);

    private static Tensor Unary(string name, Tensor x, Forward forward, LocalGradient backward)
    {
        x = x.Contiguous();
        var result = Tensor.Uninitialized(x.ShapeArray());
        forward(x.Span, result.Span);
        return Graph.Record(name, result, [x], g =>
        {
            var gs = g.Contiguous().Span;
            var grad = GradTarget(x, out bool fresh);
            if (fresh)
            {
                backward(x.Span, result.Span, gs, grad);
                return;
            }
            using var local = new ScratchBuffer(x.Size);
            backward(x.Span, result.Span, gs, local.Span);
            TensorPrimitives.Add(grad, local.Span, grad);
        });
    }
}
