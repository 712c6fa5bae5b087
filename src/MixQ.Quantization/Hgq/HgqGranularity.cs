namespace MixQ.Quantization.Hgq;

/// <summary>Which entries of a tensor share one trainable fractional bit count.</summary>
public enum HgqGranularity
{
    /// <summary>Every weight, and every activation position of one sample, has its own f (the HGQ default).</summary>
    Element,

    /// <summary>One f per weight row (output neuron or channel) or per activation channel (axis 1 of the input).</summary>
    Row,

    /// <summary>One f for the whole tensor.</summary>
    Layer,
}
