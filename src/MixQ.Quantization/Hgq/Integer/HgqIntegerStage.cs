namespace MixQ.Quantization.Hgq.Integer;

/// <summary>One step of the integer evaluator, mapping a sample's fixed-point activations to the next.</summary>
public abstract class HgqIntegerStage
{
    /// <summary>Short description for listings ("dense 784->256", "relu", ...).</summary>
    public abstract string Describe();

    /// <summary>Applies the stage; <paramref name="counters"/> collects statistics (thread-local per caller).</summary>
    public abstract FixedTensor Apply(FixedTensor input, HgqIntegerCounters counters);
}
