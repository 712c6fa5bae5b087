using MixQ.Tensors;

namespace MixQ.NN.Training;

/// <summary>Classification metrics over logits.</summary>
public static class Metrics
{
    /// <summary>Number of rows whose arg-max (first on ties) equals the label.</summary>
    public static int CountCorrect(Tensor logits, int[] labels)
    {
        var l = logits.Contiguous();
        int classes = l.Dim(-1);
        var span = l.Span;
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = span.Slice(i * classes, classes);
            int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
            if (best == labels[i]) correct++;
        }
        return correct;
    }
}
