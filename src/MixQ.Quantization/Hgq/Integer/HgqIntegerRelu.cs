namespace MixQ.Quantization.Hgq.Integer;

/// <summary>ReLU on integers: negative codes become 0 (the grid is unchanged).</summary>
public sealed class HgqIntegerRelu : HgqIntegerStage
{
    public override string Describe() => "relu";

    public override FixedTensor Apply(FixedTensor input, HgqIntegerCounters counters)
    {
        var values = new long[input.Size];
        for (int i = 0; i < values.Length; i++) values[i] = Math.Max(0, input.Values[i]);
        return new FixedTensor(values, input.FractionalBits, input.Shape);
    }
}
