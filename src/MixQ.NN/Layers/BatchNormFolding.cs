using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Folds an evaluation-mode BatchNorm into the layer before it. With the BN's affine map y = scale * x + shift
/// (<see cref="BatchNorm.EvalAffine"/>): W'[o] = scale[o] * W[o] and b'[o] = scale[o] * b[o] + shift[o].
/// Quantizers then see the weights the hardware will actually hold.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>Folded (weight, bias) for a weight whose first axis is the output channel.</summary>
    public static (Tensor Weight, Tensor Bias) Fold(Tensor weight, Tensor? bias, BatchNorm bn)
    {
        int outChannels = weight.Dim(0);
        if (outChannels != bn.Channels)
            throw new ArgumentException($"cannot fold BatchNorm({bn.Channels}) into a layer with {outChannels} outputs");
        var (scale, shift) = bn.EvalAffine();
        var w = weight.Clone();
        var ws = w.Span;
        int rowSize = w.Size / outChannels;
        var b = new float[outChannels];
        var biasSpan = bias is null ? ReadOnlySpan<float>.Empty : bias.Contiguous().Span;
        for (int o = 0; o < outChannels; o++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(ws.Slice(o * rowSize, rowSize), scale[o], ws.Slice(o * rowSize, rowSize));
            b[o] = scale[o] * (bias is null ? 0f : biasSpan[o]) + shift[o];
        }
        return (w, Tensor.FromArray(b, outChannels));
    }
}
