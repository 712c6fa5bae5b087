using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Mean softmax cross-entropy of <paramref name="logits"/> [N, K] against class indices, fused so that it
    /// never forms probabilities that can overflow: log p = x - logsumexp(x), logsumexp taken after subtracting
    /// the row maximum. With label smoothing eps the target is q = (1 - eps) onehot + eps / K (PyTorch's
    /// definition), loss_n = -sum_k q_k log p_k. Backward: d loss / d logits = (softmax - q) / N.
    /// </summary>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, int[] labels, float labelSmoothing = 0f)
    {
        if (logits.Rank != 2) throw new ArgumentException($"cross-entropy logits must be [N, K], got {ShapeUtil.Format(logits.Shape)}");
        int n = logits.Dim(0), k = logits.Dim(1);
        if (labels.Length != n) throw new ArgumentException($"cross-entropy got {labels.Length} labels for {n} rows of logits");
        if (n == 0 || k == 0) throw new ArgumentException($"cross-entropy of empty logits {ShapeUtil.Format(logits.Shape)}");
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 1]");
        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)k)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} at row {i} is outside the {k} classes");
        }
        var x = logits.Contiguous();
        var xs = x.Span;
        var logProb = new float[n * k];
        float onTarget = 1f - labelSmoothing, uniform = labelSmoothing / k;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var lp = logProb.AsSpan(i * k, k);
            LogSoftmaxRow(xs.Slice(i * k, k), lp);
            double rowLoss = -onTarget * (double)lp[labels[i]];
            if (labelSmoothing != 0f) rowLoss -= uniform * (double)TensorPrimitives.Sum(lp);
            total += rowLoss;
        }
        var loss = Tensor.Scalar((float)(total / n));
        return Graph.Record("softmax_cross_entropy", loss, [x], g =>
        {
            float scale = g.Item() / n;
            WriteGrad(x, (buffer, offset) =>
            {
                var dx = buffer.AsSpan(offset, n * k);
                TensorPrimitives.Exp(logProb, dx);
                if (uniform != 0f) TensorPrimitives.Subtract(dx, uniform, dx);
                for (int i = 0; i < n; i++) dx[i * k + labels[i]] -= onTarget;
                TensorPrimitives.Multiply(dx, scale, dx);
            });
        });
    }

    /// <summary>Mean squared error mean((prediction - target)^2) over all elements; gradients flow to both inputs.</summary>
    public static Tensor MseLoss(Tensor prediction, Tensor target)
    {
        if (!prediction.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"MSE shapes differ: prediction {ShapeUtil.Format(prediction.Shape)}, target {ShapeUtil.Format(target.Shape)}");
        if (prediction.Size == 0) throw new ArgumentException("MSE of empty tensors");
        var p = prediction.Contiguous();
        var t = target.Contiguous();
        var diff = new float[p.Size];
        TensorPrimitives.Subtract(p.Span, t.Span, diff);
        var loss = Tensor.Scalar(TensorPrimitives.SumOfSquares(diff) / diff.Length);
        return Graph.Record("mse", loss, [p, t], g =>
        {
            // d/dp mean((p - t)^2) = 2 (p - t) / M; the target gets the negation.
            var grad = new float[diff.Length];
            TensorPrimitives.Multiply(diff, 2f * g.Item() / diff.Length, grad);
            if (p.RequiresGrad) p.AccumulateGrad(grad);
            if (t.RequiresGrad)
            {
                TensorPrimitives.Negate(grad, grad);
                t.AccumulateGrad(grad);
            }
        });
    }
}
