using MixQ.Tensors;

namespace MixQ.NN.Losses;

/// <summary>
/// Mean softmax cross-entropy of logits [N, K] against class indices, optionally with label smoothing
/// (target (1 - eps) onehot + eps / K). Fused and overflow-free; see <see cref="Ops.SoftmaxCrossEntropy"/>.
/// </summary>
public sealed class CrossEntropyLoss(float labelSmoothing = 0f)
{
    public float LabelSmoothing { get; } = labelSmoothing is >= 0f and <= 1f
        ? labelSmoothing
        : throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 1]");

    /// <summary>The scalar loss (differentiable with respect to <paramref name="logits"/>).</summary>
    public Tensor Compute(Tensor logits, int[] labels) => Ops.SoftmaxCrossEntropy(logits, labels, LabelSmoothing);
}
