using MixQ.NN.Layers;

namespace MixQ.Quantization.Hgq;

/// <summary>A Dense (Linear) or Conv2d layer of a model together with its HGQ weight and input quantizers.</summary>
public sealed record HgqLayer(string Name, QuantizableLayer Layer, HgqQuantizer Weight, HgqQuantizer Input)
{
    /// <summary>
    /// Multiplications per sample. For Conv2d: kernel taps over real input at every output position (taps over zero
    /// padding multiply a constant and are not counted, as in EBOPs).
    /// </summary>
    public long Multiplications => Layer switch
    {
        Linear linear => (long)linear.InFeatures * linear.OutFeatures,
        Conv2d conv => (long)conv.OutChannels * (conv.InChannels / conv.Groups)
                       * ValidTaps(Input.ElementShape[1], conv) * ValidTaps(Input.ElementShape[2], conv),
        _ => 0,
    };

    /// <summary>Along one axis: Σ over output positions of the kernel taps that land inside the input.</summary>
    private static long ValidTaps(int size, Conv2d conv)
    {
        int outputs = (size + 2 * conv.Padding - conv.KernelSize) / conv.Stride + 1;
        long taps = 0;
        for (int o = 0; o < outputs; o++)
            for (int k = 0; k < conv.KernelSize; k++)
            {
                int i = o * conv.Stride + k - conv.Padding;
                if (i >= 0 && i < size) taps++;
            }
        return taps;
    }
}
