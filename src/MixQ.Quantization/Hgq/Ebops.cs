using MixQ.NN.Layers;
using MixQ.Tensors;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// Effective bit operations (methods.md §4): the sum over every multiplication of a layer's forward pass (one
/// sample) of bits(activation) x bits(weight), activations counted by their full width, weights by the span of
/// their non-zero bits. A Conv2d counts each kernel tap at every output position; taps over zero padding multiply
/// a constant 0 and cost nothing. Pruned weights and constant-zero activations have 0 bits and drop out.
/// </summary>
public static class Ebops
{
    /// <summary>The layer's EBOPs as a scalar tensor, differentiable in every fractional bit count (for the loss).</summary>
    public static Tensor Differentiable(HgqLayer layer)
    {
        var input = layer.Input.ElementBits();
        var weight = layer.Weight.ElementBits(layer.Layer.Weight);
        return layer.Layer switch
        {
            Linear => Ops.Sum(Ops.MatMul(input.Reshape(1, input.Size), weight, transB: true)),
            Conv2d conv => Ops.Sum(Ops.Conv2d(input.Reshape([1, .. layer.Input.ElementShape]), weight, null, conv.Stride, conv.Padding, conv.Groups)),
            _ => throw new NotSupportedException($"EBOPs of {layer.Layer.GetType().Name}"),
        };
    }

    /// <summary>The layer's EBOPs counted exactly in integers.</summary>
    public static long Exact(HgqLayer layer)
    {
        var a = layer.Input.ElementBitCounts();
        var w = layer.Weight.ElementBitCounts(layer.Layer.Weight);
        switch (layer.Layer)
        {
            case Linear linear:
            {
                int rows = linear.OutFeatures, cols = linear.InFeatures;
                long total = 0;
                for (int j = 0; j < rows; j++)
                    for (int i = 0; i < cols; i++) total += (long)a[i] * w[j * cols + i];
                return total;
            }
            case Conv2d conv:
            {
                var shape = layer.Input.ElementShape;
                int height = shape[1], width = shape[2], k = conv.KernelSize, s = conv.Stride, pad = conv.Padding;
                int outH = (height + 2 * pad - k) / s + 1, outW = (width + 2 * pad - k) / s + 1;
                int inPerGroup = conv.InChannels / conv.Groups, outPerGroup = conv.OutChannels / conv.Groups;
                long total = 0;
                for (int co = 0; co < conv.OutChannels; co++)
                {
                    int group = co / outPerGroup;
                    for (int ci = 0; ci < inPerGroup; ci++)
                    {
                        int channel = group * inPerGroup + ci;
                        for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int wb = w[((co * inPerGroup + ci) * k + ky) * k + kx];
                            if (wb == 0) continue;
                            long sum = 0; // activation bits under this tap, over all output positions
                            for (int oy = 0; oy < outH; oy++)
                            {
                                int y = oy * s + ky - pad;
                                if (y < 0 || y >= height) continue;
                                for (int ox = 0; ox < outW; ox++)
                                {
                                    int x = ox * s + kx - pad;
                                    if (x < 0 || x >= width) continue;
                                    sum += a[(channel * height + y) * width + x];
                                }
                            }
                            total += sum * wb;
                        }
                    }
                }
                return total;
            }
            default:
                throw new NotSupportedException($"EBOPs of {layer.Layer.GetType().Name}");
        }
    }
}
