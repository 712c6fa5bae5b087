namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// An SP2 level ±(q1 + q2): q1 = 2^-<paramref name="FirstExponent"/> unless <paramref name="FirstIsZero"/>,
/// q2 = 2^-<paramref name="SecondExponent"/> unless <paramref name="SecondIsZero"/> (an exponent is 0 when its
/// term is zero). In hardware: two shifts of the activation, one add, and a conditional negate.
/// </summary>
public sealed record Sp2Code(bool Negative, bool FirstIsZero, int FirstExponent, bool SecondIsZero, int SecondExponent) : LevelCode
{
    public override double Decode()
    {
        double q1 = FirstIsZero ? 0.0 : Math.ScaleB(1.0, -FirstExponent);
        double q2 = SecondIsZero ? 0.0 : Math.ScaleB(1.0, -SecondExponent);
        return (Negative ? -1.0 : 1.0) * (q1 + q2);
    }
}
