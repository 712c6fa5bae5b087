namespace MixQ.Quantization.Integer;

/// <summary>[C, H, W] -> [C * H * W] in row-major order (no arithmetic).</summary>
public sealed record IntFlatten(string Name) : IntLayer(Name)
{
    public override string Op => "flatten";

    public override int[] OutputShape(int[] inputShape) => [inputShape.Aggregate(1, (a, b) => a * b)];
}
