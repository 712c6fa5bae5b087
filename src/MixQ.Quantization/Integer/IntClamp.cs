namespace MixQ.Quantization.Integer;

/// <summary>out = min(max(x, Min), Max): ReLU (Min 0) and ReLU6 (Max = the code of 6) where they cannot be folded into a requantization.</summary>
public sealed record IntClamp(string Name, long Min, long Max) : IntLayer(Name)
{
    public override string Op => "clamp";

    public override int[] OutputShape(int[] inputShape) => inputShape;
}
