using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Estimate;

/// <summary>
/// The work of one Linear or Conv2d layer as the hardware sees it: <see cref="Rows"/> dot products (output neurons or
/// channels) of <see cref="RowLength"/> terms, evaluated at <see cref="Positions"/> output positions (H_out x W_out
/// of a convolution, 1 for a Linear layer on a vector). <see cref="InputElements"/> is the size of one sample's input.
/// </summary>
public sealed record LayerShape(string Name, LayerKind Kind, int Rows, int RowLength, long Positions, long InputElements)
{
    /// <summary>Multiply-accumulates per inference: rows x row length x positions.</summary>
    public long Macs => (long)Rows * RowLength * Positions;

    /// <summary>Weights of the layer.</summary>
    public long Weights => (long)Rows * RowLength;

    /// <summary>Output values per inference: rows x positions.</summary>
    public long OutputElements => Rows * Positions;
}
