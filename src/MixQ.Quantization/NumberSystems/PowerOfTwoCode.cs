namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// A power-of-two level: 0 when <paramref name="IsZero"/>, otherwise ±2^-<paramref name="Exponent"/>
/// (a right shift by Exponent, negated when <paramref name="Negative"/>). Exponent is 0 for the zero level.
/// </summary>
public sealed record PowerOfTwoCode(bool Negative, bool IsZero, int Exponent) : LevelCode
{
    public override double Decode() => IsZero ? 0.0 : (Negative ? -1.0 : 1.0) * Math.ScaleB(1.0, -Exponent);
}
