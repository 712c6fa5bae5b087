namespace MixQ.Quantization.Integer;

/// <summary>
/// Per-element requantization with shifts only (HGQ's activation quantizers): element e of the per-sample tensor
/// becomes <see cref="ElementFormats"/>.Apply(e, x[e]) — a right shift by the distance between the incoming grid and
/// the element's own grid with the stage's rounding, overflow handling into the element's width, and a left shift
/// onto the common grid of the next Dense/Conv2d input. No multiplier: every HGQ step is a power of two.
/// </summary>
public sealed record IntShiftRequantize(string Name, ElementFormats Formats) : IntLayer(Name)
{
    public override string Op => "shift_requantize";

    public override int[] OutputShape(int[] inputShape)
    {
        int size = inputShape.Aggregate(1, (a, b) => a * b);
        return size == Formats.Count ? inputShape : throw Mismatch(inputShape, $"{Formats.Count} elements");
    }
}
