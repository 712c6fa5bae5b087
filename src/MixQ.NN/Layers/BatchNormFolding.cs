using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Folds an evaluation-mode BatchNorm into the Linear or Conv2d that feeds it, for inference and quantisation:
/// BN(W x + b) = scale (W x + b) + shift = (scale W) x + (scale b + shift), per output channel, with
/// (scale, shift) from <see cref="BatchNorm.FoldedScaleShift"/>. The folded layer always has a bias.
/// Only valid for inference: training would change the running statistics the fold was taken from.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>Folded weight [out, in/groups, k, k] and bias [out] of <paramref name="conv"/> followed by <paramref name="bn"/>.</summary>
    public static (Tensor Weight, Tensor Bias) Fold(Conv2d conv, BatchNorm bn) => Fold(conv.Weight, conv.Bias, bn);

    /// <summary>Folded weight [out, in] and bias [out] of <paramref name="linear"/> followed by <paramref name="bn"/>.</summary>
    public static (Tensor Weight, Tensor Bias) Fold(Linear linear, BatchNorm bn) => Fold(linear.Weight, linear.Bias, bn);

    /// <summary>A new Conv2d computing conv then bn (evaluation mode) in one layer.</summary>
    public static Conv2d FoldInto(Conv2d conv, BatchNorm bn)
    {
        var (w, b) = Fold(conv, bn);
        return new Conv2d(w, b, conv.Stride, conv.Padding, conv.Groups);
    }

    /// <summary>A new Linear computing linear then bn (evaluation mode) in one layer.</summary>
    public static Linear FoldInto(Linear linear, BatchNorm bn)
    {
        var (w, b) = Fold(linear, bn);
        return new Linear(w, b);
    }

    /// <summary>
    /// Folds every BatchNorm that directly follows a Conv2d or Linear inside a <see cref="Sequential"/> anywhere in
    /// the tree: the layer is replaced by its folded twin and the BatchNorm by <see cref="Identity"/> (so layer
    /// names stay put). Returns the number of folds. Use on a model in evaluation mode only.
    /// </summary>
    public static int FoldAll(Modules.Module root)
    {
        int folds = 0;
        foreach (var (_, module) in root.NamedModules().ToList())
        {
            if (module is not Sequential seq) continue;
            for (int i = 0; i + 1 < seq.Count; i++)
            {
                if (seq.Layers[i + 1] is not BatchNorm bn) continue;
                Modules.Module? folded = seq.Layers[i] switch
                {
                    Conv2d conv => FoldInto(conv, bn),
                    Linear linear => FoldInto(linear, bn),
                    _ => null,
                };
                if (folded is null) continue;
                seq.Replace(i, folded);
                seq.Replace(i + 1, new Identity());
                folds++;
            }
        }
        return folds;
    }

    private static (Tensor Weight, Tensor Bias) Fold(Tensor weight, Tensor? bias, BatchNorm bn)
    {
        int outputs = weight.Dim(0);
        if (bn.NumFeatures != outputs)
            throw new ArgumentException($"cannot fold {bn.GetType().Name}({bn.NumFeatures}) into a layer with {outputs} outputs");
        var (scale, shift) = bn.FoldedScaleShift();
        var folded = weight.Clone();
        var w = folded.Span;
        int perOutput = weight.Size / outputs;
        var newBias = new float[outputs];
        var oldBias = bias is null ? default : bias.Contiguous().Span;
        for (int o = 0; o < outputs; o++)
        {
            var row = w.Slice(o * perOutput, perOutput);
            TensorPrimitives.Multiply(row, scale[o], row);
            newBias[o] = scale[o] * (bias is null ? 0f : oldBias[o]) + shift[o];
        }
        return (folded, Tensor.FromArray(newBias, outputs));
    }
}
