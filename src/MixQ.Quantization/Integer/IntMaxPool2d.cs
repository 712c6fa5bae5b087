namespace MixQ.Quantization.Integer;

/// <summary>Max pooling over [C, H, W] with a square window; padded positions never win (they are -infinity).</summary>
public sealed record IntMaxPool2d(string Name, int KernelSize, int Stride, int Padding) : IntLayer(Name)
{
    public override string Op => "maxpool2d";

    public override int[] OutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3) throw Mismatch(inputShape, "[C, H, W]");
        int oh = (inputShape[1] + 2 * Padding - KernelSize) / Stride + 1;
        int ow = (inputShape[2] + 2 * Padding - KernelSize) / Stride + 1;
        if (oh < 1 || ow < 1) throw Mismatch(inputShape, $"at least {KernelSize} x {KernelSize} pixels");
        return [inputShape[0], oh, ow];
    }
}
