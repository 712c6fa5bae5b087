using MixQ.Quantization.NumberSystems;
using MixQ.Tensors;

namespace MixQ.Quantization.Scaling;

/// <summary>
/// A weight tensor quantized row by row: the quantized values (alpha_r * q, same shape as the weight), each
/// row's scale alpha_r and squared error Σ (w - alpha_r q)^2, and the format each row used.
/// </summary>
public sealed record RowQuantization(Tensor Quantized, float[] Scales, double[] SquaredErrors, IReadOnlyList<NumberFormat> Formats)
{
    public int Rows => Scales.Length;

    public double TotalSquaredError => SquaredErrors.Sum();
}
