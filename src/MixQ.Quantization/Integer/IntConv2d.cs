namespace MixQ.Quantization.Integer;

/// <summary>
/// Integer 2-D convolution over [C, H, W] codes (square kernel, stride, zero padding, one group):
/// acc[o, y, x] = Σ_{c, i, j} in[c, y*s + i - p, x*s + j - p] * v[o, (c, i, j)] + Bias[o]. Padded positions hold code 0
/// (the real value 0 in a symmetric code). Weight rows are output channels, flattened as [c, kh, kw].
/// </summary>
public sealed record IntConv2d(string Name, IntegerWeights Weights, long[] Bias, ActivationCodes Input, int AccumulatorBits,
    int InChannels, int KernelSize, int Stride, int Padding) : IntLayer(Name)
{
    public override string Op => "conv2d";

    public int OutChannels => Weights.Rows;

    public override int[] OutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3 || inputShape[0] != InChannels) throw Mismatch(inputShape, $"[{InChannels}, H, W]");
        int oh = (inputShape[1] + 2 * Padding - KernelSize) / Stride + 1;
        int ow = (inputShape[2] + 2 * Padding - KernelSize) / Stride + 1;
        if (oh < 1 || ow < 1) throw Mismatch(inputShape, $"at least {KernelSize - 2 * Padding} x {KernelSize - 2 * Padding} pixels");
        return [OutChannels, oh, ow];
    }
}
