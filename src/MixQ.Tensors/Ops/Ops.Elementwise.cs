using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

/// <summary>
/// The differentiable primitive operations. Every op reads contiguous inputs (strided views are copied first
/// through the differentiable <see cref="Tensor.Contiguous"/>), returns a fresh contiguous tensor, and records
/// a backward closure with <see cref="Graph.Record"/> that adds into the inputs' gradients.
/// </summary>
public static partial class Ops
{
    // ---- binary ops with NumPy broadcasting ----------------------------------------------------------------
    // Backward of a broadcast operand: the output gradient (after the op's local factor) summed over the axes
    // the operand was stretched along — d/da sum_o G[o] f(a[bcast(o)], ...) collects every o that read a.

    /// <summary>a + b with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        a = a.Contiguous();
        b = b.Contiguous();
        var result = BroadcastBinary<AddKernel>(a, b);
        var outShape = result.ShapeArray();
        return Graph.Record("add", result, [a, b], g =>
        {
            var gs = g.Contiguous().Span;
            if (a.RequiresGrad) AccumulateSumTo(a, gs, outShape);
            if (b.RequiresGrad) AccumulateSumTo(b, gs, outShape);
        });
    }

    /// <summary>a - b with broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        a = a.Contiguous();
        b = b.Contiguous();
        var result = BroadcastBinary<SubtractKernel>(a, b);
        var outShape = result.ShapeArray();
        return Graph.Record("sub", result, [a, b], g =>
        {
            var gs = g.Contiguous().Span;
            if (a.RequiresGrad) AccumulateSumTo(a, gs, outShape);
            if (b.RequiresGrad) AccumulateSumTo(b, gs, outShape, -1f);
        });
    }

    /// <summary>a * b elementwise with broadcasting. d/da = g * b, d/db = g * a.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        a = a.Contiguous();
        b = b.Contiguous();
        var result = BroadcastBinary<MultiplyKernel>(a, b);
        var outShape = result.ShapeArray();
        return Graph.Record("mul", result, [a, b], g =>
        {
            var gs = g.Contiguous().Span;
            if (a.RequiresGrad) AccumulateBroadcastProduct(a, gs, outShape, b);
            if (b.RequiresGrad) AccumulateBroadcastProduct(b, gs, outShape, a);
        });
    }

    /// <summary>a / b elementwise with broadcasting. d/da = g / b, d/db = -g a / b^2 = -(g / b) * (a / b).</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        a = a.Contiguous();
        b = b.Contiguous();
        var result = BroadcastBinary<DivideKernel>(a, b);
        var outShape = result.ShapeArray();
        return Graph.Record("div", result, [a, b], g =>
        {
            var gs = g.Contiguous().Span;
            using var quotient = new ScratchBuffer(gs.Length);
            var q = quotient.Span;
            Broadcast.Apply<DivideKernel>(gs, outShape, b.Span, b.Shape, q, outShape);
            if (a.RequiresGrad) AccumulateSumTo(a, q, outShape);
            if (b.RequiresGrad)
            {
                TensorPrimitives.Multiply(q, result.Span, q);
                AccumulateSumTo(b, q, outShape, -1f);
            }
        });
    }

    /// <summary>Elementwise max with broadcasting; on ties the gradient goes to <paramref name="a"/>.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Select<MaximumKernel>("maximum", a, b);

    /// <summary>Elementwise min with broadcasting; on ties the gradient goes to <paramref name="a"/>.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Select<MinimumKernel>("minimum", a, b);

    // ---- scalar operand forms (no broadcast bookkeeping, no tensor for the constant) -----------------------

    /// <summary>x + s.</summary>
    public static Tensor AddScalar(Tensor x, float s)
    {
        x = x.Contiguous();
        var result = Tensor.Uninitialized(x.ShapeArray());
        TensorPrimitives.Add(x.Span, s, result.Span);
        return Graph.Record("add_scalar", result, [x], g => AccumulateScaled(x, g.Contiguous().Span, 1f));
    }

    /// <summary>x * s.</summary>
    public static Tensor MulScalar(Tensor x, float s)
    {
        x = x.Contiguous();
        var result = Tensor.Uninitialized(x.ShapeArray());
        TensorPrimitives.Multiply(x.Span, s, result.Span);
        return Graph.Record("mul_scalar", result, [x], g => AccumulateScaled(x, g.Contiguous().Span, s));
    }

    /// <summary>x ^ p elementwise. d/dx = p x^(p-1) (NaN for negative x and non-integer p, as in the forward).</summary>
    public static Tensor PowScalar(Tensor x, float p)
    {
        x = x.Contiguous();
        var result = Tensor.Uninitialized(x.ShapeArray());
        Power(x.Span, p, result.Span);
        return Graph.Record("pow_scalar", result, [x], g =>
        {
            if (p == 0f)
            {
                // x^0 is constant; the general formula would give 0 * x^-1 = NaN at x = 0.
                GradAccumulator(x);
                return;
            }
            using var derivative = new ScratchBuffer(x.Size);
            var d = derivative.Span;
            Power(x.Span, p - 1f, d);
            TensorPrimitives.Multiply(d, p, d);
            AccumulateProduct(x, g.Contiguous().Span, d);
        });
    }

    // ---- broadcasting as ops of their own --------------------------------------------------------------------

    /// <summary>x stretched to <paramref name="shape"/> (NumPy rules); the backward sums back down.</summary>
    public static Tensor BroadcastTo(Tensor x, params int[] shape)
    {
        x = x.Contiguous();
        if (!Broadcast.IsBroadcastable(x.Shape, shape))
            throw new ArgumentException($"shape {ShapeUtil.Format(x.Shape)} cannot be broadcast to {ShapeUtil.Format(shape)}");
        var result = Tensor.Uninitialized(shape);
        Broadcast.Expand(x.Span, x.Shape, result.Span, shape);
        var outShape = result.ShapeArray();
        return Graph.Record("broadcast_to", result, [x], g => AccumulateSumTo(x, g.Contiguous().Span, outShape));
    }

    /// <summary>
    /// x summed down to <paramref name="shape"/>, a shape that broadcasts to x's (leading axes dropped, size-1 axes
    /// kept): the reduction that undoes broadcasting, e.g. a bias gradient [N, C] -> [C].
    /// </summary>
    public static Tensor SumToShape(Tensor x, params int[] shape)
    {
        x = x.Contiguous();
        if (!Broadcast.IsBroadcastable(shape, x.Shape))
            throw new ArgumentException($"shape {ShapeUtil.Format(shape)} does not broadcast to {ShapeUtil.Format(x.Shape)}");
        var result = Tensor.Zeros(shape);
        Broadcast.SumToAccumulate(x.Span, x.Shape, result.Span, shape);
        var outShape = result.ShapeArray();
        return Graph.Record("sum_to_shape", result, [x], g => AccumulateExpand(x, g.Contiguous().Span, outShape));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Tensor BroadcastBinary<TKernel>(Tensor a, Tensor b) where TKernel : IBinaryKernel
    {
        var outShape = ShapeUtil.Broadcast(a.Shape, b.Shape);
        var result = Tensor.Uninitialized(outShape);
        Broadcast.Apply<TKernel>(a.Span, a.Shape, b.Span, b.Shape, result.Span, outShape);
        return result;
    }

    /// <summary>grad(target) += sum-to-target-shape(g * other), with other broadcast to g's shape.</summary>
    private static void AccumulateBroadcastProduct(Tensor target, ReadOnlySpan<float> g, int[] outShape, Tensor other)
    {
        if (target.Size == g.Length && other.Size == g.Length)
        {
            AccumulateProduct(target, g, other.Span);
            return;
        }
        using var product = new ScratchBuffer(g.Length);
        Broadcast.Apply<MultiplyKernel>(g, outShape, other.Span, other.Shape, product.Span, outShape);
        AccumulateSumTo(target, product.Span, outShape);
    }

    /// <summary>
    /// Max/min: the output equals one operand at every position, so the gradient is routed by the mask
    /// (output == a): a gets g * mask, b gets g * (1 - mask).
    /// </summary>
    private static Tensor Select<TKernel>(string name, Tensor a, Tensor b) where TKernel : IBinaryKernel
    {
        a = a.Contiguous();
        b = b.Contiguous();
        var result = BroadcastBinary<TKernel>(a, b);
        var outShape = result.ShapeArray();
        return Graph.Record(name, result, [a, b], g =>
        {
            var gs = g.Contiguous().Span;
            using var routed = new ScratchBuffer(gs.Length);
            var toA = routed.Span;
            Broadcast.Apply<EqualMaskKernel>(result.Span, outShape, a.Span, a.Shape, toA, outShape);
            TensorPrimitives.Multiply(toA, gs, toA);
            if (a.RequiresGrad) AccumulateSumTo(a, toA, outShape);
            if (b.RequiresGrad)
            {
                TensorPrimitives.Subtract(gs, toA, toA);
                AccumulateSumTo(b, toA, outShape);
            }
        });
    }

    /// <summary>x^p, with the common exponents as exact single-instruction kernels instead of the general Pow.</summary>
    private static void Power(ReadOnlySpan<float> x, float p, Span<float> destination)
    {
        switch (p)
        {
            case 0f: destination.Fill(1f); break;
            case 1f: x.CopyTo(destination); break;
            case 2f: TensorPrimitives.Multiply(x, x, destination); break;
            case 0.5f: TensorPrimitives.Sqrt(x, destination); break;
            case -1f: TensorPrimitives.Divide(1f, x, destination); break;
            default: TensorPrimitives.Pow(x, p, destination); break;
        }
    }
}
