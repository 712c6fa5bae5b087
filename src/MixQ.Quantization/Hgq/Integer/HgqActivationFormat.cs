namespace MixQ.Quantization.Hgq.Integer;

/// <summary>How a layer's input elements are quantized: a format per element plus the shared rounding and overflow.</summary>
public sealed record HgqActivationFormat(FixedPointFormat[] Formats, RoundingMode Rounding, OverflowMode Overflow)
{
    /// <summary>Input codes (requantized with shifts only) and their fractional bits.</summary>
    public (long[] Codes, int[] FractionalBits) Quantize(FixedTensor input)
    {
        if (input.Size != Formats.Length)
            throw new MixQException($"integer layer expects {Formats.Length} input elements, got {input.Size}");
        var codes = new long[input.Size];
        var frac = new int[input.Size];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = FixedPoint.Requantize(input.Values[i], input.FractionalBits[i], Formats[i], Rounding, Overflow);
            frac[i] = Formats[i].FractionalBits;
        }
        return (codes, frac);
    }
}
