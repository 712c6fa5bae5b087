namespace MixQ.Quantization.Plans;

/// <summary>The layer types whose weights are quantized row by row.</summary>
public enum LayerKind
{
    /// <summary>Weight [out, in]: one row per output neuron.</summary>
    Linear,

    /// <summary>Weight [out, in/groups, k, k]: one row per output channel, flattened over in/groups * k * k.</summary>
    Conv2d,
}
