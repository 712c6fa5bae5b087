using MixQ.Tensors;

namespace MixQ.Quantization.Scaling;

/// <summary>
/// The rows a quantizer formats: axis 0 of a weight, everything else flattened. A Linear weight [out, in] has
/// one row per output neuron; a Conv2d weight [out, in, kh, kw] one row of in * kh * kw per output channel.
/// </summary>
public static class WeightRows
{
    public static int Count(Tensor weight) =>
        weight.Rank >= 1 ? weight.Dim(0) : throw new ArgumentException("a scalar has no rows", nameof(weight));

    public static int Length(Tensor weight)
    {
        int rows = Count(weight);
        return rows == 0 ? 0 : weight.Size / rows;
    }
}
