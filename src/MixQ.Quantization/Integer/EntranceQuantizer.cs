namespace MixQ.Quantization.Integer;

/// <summary>
/// The entrance of an <see cref="IntegerModel"/>, the only step that reads floats: it turns each float input sample
/// into integer codes. <see cref="InputQuantization"/> is the row-wise models' clip-based quantizer,
/// <see cref="FixedPointEntrance"/> the per-element fixed-point quantizer of HGQ models.
/// </summary>
public abstract record EntranceQuantizer
{
    /// <summary>The tag in model.json ("clip" or "fixed_point").</summary>
    public abstract string Kind { get; }

    /// <summary>Throws a MixQException naming the first bad parameter; <paramref name="sampleSize"/> is the input size of one sample.</summary>
    public abstract void Validate(int sampleSize);

    /// <summary>The range every code lies in.</summary>
    public abstract (long Min, long Max) CodeRange { get; }

    /// <summary>Codes of whole samples laid out one after another (input.Length is a multiple of the sample size).</summary>
    public abstract void Quantize(ReadOnlySpan<float> input, Span<long> codes);
}
