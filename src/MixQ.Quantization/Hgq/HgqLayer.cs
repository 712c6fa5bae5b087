using MixQ.NN.Layers;

namespace MixQ.Quantization.Hgq;

/// <summary>A Dense (Linear) or Conv2d layer of a model together with its HGQ weight and input quantizers.</summary>
public sealed record HgqLayer(string Name, QuantizableLayer Layer, HgqQuantizer Weight, HgqQuantizer Input)
{
    /// <summary>Multiplications per sample (for Conv2d: every output position times the kernel taps).</summary>
    public long Multiplications => Layer switch
    {
        Linear linear => (long)linear.InFeatures * linear.OutFeatures,
        Conv2d conv => (long)conv.OutChannels * OutputPositions(conv) * (conv.InChannels / conv.Groups) * conv.KernelSize * conv.KernelSize,
        _ => 0,
    };

    /// <summary>Output height times width of a Conv2d for this layer's input shape.</summary>
    public int OutputPositions(Conv2d conv)
    {
        var shape = Input.ElementShape;
        int h = (shape[1] + 2 * conv.Padding - conv.KernelSize) / conv.Stride + 1;
        int w = (shape[2] + 2 * conv.Padding - conv.KernelSize) / conv.Stride + 1;
        return h * w;
    }
}
