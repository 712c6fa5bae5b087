namespace MixQ.Quantization.NumberSystems;

/// <summary>A fixed-point level k / <paramref name="MaxK"/> with MaxK = 2^(m-1) - 1: the DSP multiplies by the integer k.</summary>
public sealed record FixedCode(int K, int MaxK) : LevelCode
{
    public override double Decode() => (double)K / MaxK;
}
