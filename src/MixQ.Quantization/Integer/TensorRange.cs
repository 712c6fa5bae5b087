namespace MixQ.Quantization.Integer;

/// <summary>The per-sample shape and the guaranteed value range [Min, Max] of the tensor after one layer of an <see cref="IntegerModel"/>.</summary>
public sealed record TensorRange(string Layer, int[] Shape, long Min, long Max)
{
    /// <summary>Two's-complement bits that hold the range (sign included).</summary>
    public int Bits => IntegerModel.BitsFor(Min, Max);
}
