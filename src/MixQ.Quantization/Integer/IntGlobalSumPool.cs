namespace MixQ.Quantization.Integer;

/// <summary>
/// [C, H, W] -> [C]: the sum over each channel's pixels. Global average pooling becomes this sum; the division by
/// H * W is folded into the following requantization's multiplier, so no rounding happens here.
/// </summary>
public sealed record IntGlobalSumPool(string Name) : IntLayer(Name)
{
    public override string Op => "global_sum_pool";

    public override int[] OutputShape(int[] inputShape) =>
        inputShape.Length == 3 ? [inputShape[0]] : throw Mismatch(inputShape, "[C, H, W]");
}
