namespace MixQ.Quantization.Integer;

/// <summary>
/// The entrance of an HGQ integer model: the first layer's per-element fixed-point input quantizer. Input element e
/// (flat index within a sample) with f_e fractional bits has <c>Shifts[e] = -f_e</c>, so
/// code = overflow(round(x 2^f_e)) &lt;&lt; align_e (<see cref="ElementFormats"/>). The float is written exactly as
/// m 2^e first, so the codes equal the fake-quantized model's on every input, ties and overflows included.
/// </summary>
public sealed record FixedPointEntrance(ElementFormats Formats) : EntranceQuantizer
{
    public override string Kind => "fixed_point";

    public override (long Min, long Max) CodeRange => Formats.Range;

    public override void Validate(int sampleSize) => Formats.Validate("input quantization", sampleSize);

    public override void Quantize(ReadOnlySpan<float> input, Span<long> codes)
    {
        if (codes.Length < input.Length) throw new ArgumentException("codes is shorter than input", nameof(codes));
        int size = Formats.Count;
        if (input.Length % size != 0) throw new MixQException($"input quantization: {input.Length} values are not whole samples of {size}");
        for (int start = 0; start < input.Length; start += size)
            for (int e = 0; e < size; e++) codes[start + e] = Formats.ApplyToFloat(e, input[start + e]);
    }
}
