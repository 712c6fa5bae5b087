namespace MixQ.Quantization.Hgq.Integer;

/// <summary>Flatten: the same elements in the same (row-major) order under a 1-D shape.</summary>
public sealed class HgqIntegerFlatten : HgqIntegerStage
{
    public override string Describe() => "flatten";

    public override FixedTensor Apply(FixedTensor input, HgqIntegerCounters counters) =>
        new(input.Values, input.FractionalBits, [input.Size]);
}
