namespace MixQ.Quantization.Integer;

/// <summary>
/// The entrance of an <see cref="IntegerModel"/>, the only step that reads floats: the first layer's input quantizer
/// with clip a (float32) and codes <see cref="Codes"/>: code = clamp(round(t * n), min, max), t = fl(x * fl(1 / a)),
/// n = <see cref="ActivationCodes.MaxCode"/>, rounded exactly with ties away from zero — the very code
/// <see cref="FakeQuant.Activations"/> computes, so the integer model starts from identical codes.
/// </summary>
public sealed record InputQuantization(float Clip, ActivationCodes Codes) : EntranceQuantizer
{
    public override string Kind => "clip";

    public override (long Min, long Max) CodeRange => (Codes.MinCode, Codes.MaxCode);

    public override void Validate(int sampleSize) => Validate();

    public InputQuantization Validate()
    {
        if (!(Clip > 0f) || !float.IsFinite(Clip)) throw new MixQException($"input quantization: clip {Clip} must be positive and finite");
        Codes.Validate("input quantization", maxBits: 8); // the int8 entrance writes codes as bytes
        return this;
    }

    /// <summary>The real value of one code step, a / n.</summary>
    public double Step => (double)Clip / Codes.MaxCode;

    public override void Quantize(ReadOnlySpan<float> input, Span<long> codes)
    {
        if (codes.Length < input.Length) throw new ArgumentException("codes is shorter than input", nameof(codes));
        float inv = 1f / Clip, steps = Codes.MaxCode, lo = Codes.MinCode, hi = Codes.MaxCode;
        for (int i = 0; i < input.Length; i++)
            codes[i] = (long)NumberSystems.UniformRounding.CodeScalar(input[i], inv, steps, lo, hi);
    }
}
