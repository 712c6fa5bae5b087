using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

public static partial class Ops
{
    /// <summary>Element-wise work below this many elements per chunk stays on the calling thread.</summary>
    private const int ElementwiseGrain = 1 << 16;

    /// <summary>ReLU6: min(max(x, 0), 6) (MobileNet). Gradient passes where 0 &lt; x &lt; 6.</summary>
    public static Tensor Relu6(Tensor input)
    {
        var x = input.Contiguous();
        var y = Tensor.Uninitialized(x.ShapeArray());
        TensorPrimitives.Clamp(x.Span, 0f, 6f, y.Span);
        return Graph.Record("relu6", y, [x], g => AccumulateMapped(x, g, new Relu6GradKernel()));
    }

    /// <summary>LeakyReLU: x for x &gt; 0, slope x otherwise (PyTorch default slope 0.01).</summary>
    public static Tensor LeakyRelu(Tensor input, float slope = 0.01f)
    {
        var x = input.Contiguous();
        var y = Map(x, new LeakyReluKernel(slope));
        return Graph.Record("leaky_relu", y, [x], g => AccumulateMapped(x, g, new LeakyReluGradKernel(slope)));
    }

    /// <summary>
    /// GELU with the tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) — PyTorch's
    /// GELU(approximate="tanh"). Chosen over the erf form because it needs only exp, which vectorises; its
    /// difference from the erf form is below 1e-3. Backward is the exact derivative of this approximation.
    /// </summary>
    public static Tensor Gelu(Tensor input)
    {
        var x = input.Contiguous();
        var y = Map(x, new GeluKernel());
        return Graph.Record("gelu", y, [x], g => AccumulateMapped(x, g, new GeluGradKernel()));
    }

    /// <summary>
    /// Softmax along <paramref name="axis"/> (the last axis natively; other axes by a transposed view).
    /// Numerically stable: exp(x - max) / sum(exp(x - max)). Backward: dx = y (g - sum(g y)).
    /// </summary>
    public static Tensor Softmax(Tensor input, int axis = -1)
    {
        if (NotLastAxis(input, axis, out int a)) return Softmax(input.Transpose(a, -1), -1).Transpose(a, -1);
        var x = input.Contiguous();
        int d = x.Dim(-1), rows = d == 0 ? 0 : x.Size / d;
        var y = Tensor.Uninitialized(x.ShapeArray());
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset;
        int chunks = BatchParallel.ChunksFor(rows, Math.Max(1, ElementwiseGrain / Math.Max(1, d)));
        BatchParallel.For(rows, chunks, (_, start, end) =>
        {
            for (int r = start; r < end; r++) SoftmaxRow(xs.AsSpan(xo + r * d, d), ys.AsSpan(r * d, d));
        });
        return Graph.Record("softmax", y, [x], g =>
        {
            var gy = g.Contiguous();
            float[] gs = gy.Storage;
            int go = gy.Offset;
            WriteGrad(x, (dx, dxo) => BatchParallel.For(rows, chunks, (_, start, end) =>
            {
                for (int r = start; r < end; r++)
                {
                    var gRow = gs.AsSpan(go + r * d, d);
                    var yRow = ys.AsSpan(r * d, d);
                    var dxRow = dx.AsSpan(dxo + r * d, d);
                    TensorPrimitives.Subtract(gRow, TensorPrimitives.Dot(gRow, yRow), dxRow);
                    TensorPrimitives.Multiply(dxRow, yRow, dxRow);
                }
            }));
        });
    }

    /// <summary>
    /// log(softmax(x)) along <paramref name="axis"/>, computed as x - max - log(sum(exp(x - max))) so it never
    /// overflows. Backward: dx = g - softmax(x) sum(g), with softmax(x) = exp(y).
    /// </summary>
    public static Tensor LogSoftmax(Tensor input, int axis = -1)
    {
        if (NotLastAxis(input, axis, out int a)) return LogSoftmax(input.Transpose(a, -1), -1).Transpose(a, -1);
        var x = input.Contiguous();
        int d = x.Dim(-1), rows = d == 0 ? 0 : x.Size / d;
        var y = Tensor.Uninitialized(x.ShapeArray());
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset;
        int chunks = BatchParallel.ChunksFor(rows, Math.Max(1, ElementwiseGrain / Math.Max(1, d)));
        BatchParallel.For(rows, chunks, (_, start, end) =>
        {
            for (int r = start; r < end; r++) LogSoftmaxRow(xs.AsSpan(xo + r * d, d), ys.AsSpan(r * d, d));
        });
        return Graph.Record("log_softmax", y, [x], g =>
        {
            var gy = g.Contiguous();
            float[] gs = gy.Storage;
            int go = gy.Offset;
            WriteGrad(x, (dx, dxo) => BatchParallel.For(rows, chunks, (_, start, end) =>
            {
                for (int r = start; r < end; r++)
                {
                    var gRow = gs.AsSpan(go + r * d, d);
                    var dxRow = dx.AsSpan(dxo + r * d, d);
                    TensorPrimitives.Exp(ys.AsSpan(r * d, d), dxRow);
                    TensorPrimitives.MultiplyAdd(dxRow, -TensorPrimitives.Sum(gRow), gRow, dxRow);
                }
            }));
        });
    }

    /// <summary>Stable softmax of one row; <paramref name="output"/> may not alias <paramref name="row"/>.</summary>
    internal static void SoftmaxRow(ReadOnlySpan<float> row, Span<float> output)
    {
        if (row.IsEmpty) return;
        TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), output);
        TensorPrimitives.Exp(output, output);
        TensorPrimitives.Multiply(output, 1f / TensorPrimitives.Sum(output), output);
    }

    /// <summary>Stable log-softmax of one row; returns log(sum(exp(row))) (the log-sum-exp).</summary>
    internal static float LogSoftmaxRow(ReadOnlySpan<float> row, Span<float> output)
    {
        if (row.IsEmpty) return float.NegativeInfinity;
        float max = TensorPrimitives.Max(row);
        // exp into the output temporarily, then overwrite it with the log-probabilities. (row - max) - logSum
        // rather than row - (max + logSum): the shift by max is exact for the large entries, and rounding
        // max + logSum at the magnitude of max would lose the small log-sum.
        TensorPrimitives.Subtract(row, max, output);
        TensorPrimitives.Exp(output, output);
        float logSum = MathF.Log(TensorPrimitives.Sum(output));
        TensorPrimitives.Subtract(row, max, output);
        TensorPrimitives.Subtract(output, logSum, output);
        return max + logSum;
    }

    private static bool NotLastAxis(Tensor input, int axis, out int normalized)
    {
        if (input.Rank == 0) throw new ArgumentException("softmax needs at least one axis");
        normalized = axis < 0 ? axis + input.Rank : axis;
        if ((uint)normalized >= (uint)input.Rank)
            throw new ArgumentException($"axis {axis} is out of range for shape {ShapeUtil.Format(input.Shape)}");
        return normalized != input.Rank - 1;
    }

    /// <summary>y = kernel(x) element-wise, split over threads for large tensors.</summary>
    private static Tensor Map<TKernel>(Tensor x, TKernel kernel) where TKernel : struct, IElementwiseKernel
    {
        var y = Tensor.Uninitialized(x.ShapeArray());
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset, size = x.Size;
        BatchParallel.For(size, BatchParallel.ChunksFor(size, ElementwiseGrain), (_, start, end) =>
        {
            var block = xs.AsSpan(xo + start, end - start);
            Elementwise.Apply(kernel, block, block, ys.AsSpan(start, end - start));
        });
        return y;
    }

    /// <summary>x.grad += kernel(x, g) element-wise (the local derivative of an activation times g).</summary>
    private static void AccumulateMapped<TKernel>(Tensor x, Tensor g, TKernel kernel) where TKernel : struct, IElementwiseKernel
    {
        var gy = g.Contiguous();
        float[] xs = x.Storage, gs = gy.Storage;
        int xo = x.Offset, go = gy.Offset, size = x.Size;
        WriteGrad(x, (dx, dxo) => BatchParallel.For(size, BatchParallel.ChunksFor(size, ElementwiseGrain), (_, start, end) =>
        {
            Elementwise.Apply(kernel, xs.AsSpan(xo + start, end - start), gs.AsSpan(go + start, end - start), dx.AsSpan(dxo + start, end - start));
        }));
    }
}
