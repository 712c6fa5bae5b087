namespace MixQ.Codegen.Arithmetic;

/// <summary>
/// Canonical signed-digit (CSD, non-adjacent form) recoding of an integer constant: digits in {-1, 0, +1}, no two
/// adjacent non-zero digits, and the fewest non-zero digits of any signed-digit form. A constant multiply
/// x * v then costs (non-zero digits - 1) adders and only wiring for the shifts — yosys does not recode
/// constants itself, so the generator writes these forms out.
/// </summary>
public static class Csd
{
    /// <summary>The non-zero digits of <paramref name="value"/>, lowest shift first; empty for 0.</summary>
    public static IReadOnlyList<SignedDigit> Digits(long value)
    {
        if (value is > (1L << 61) or < -(1L << 61)) throw new ArgumentOutOfRangeException(nameof(value), "CSD recoding supports |v| <= 2^61");
        var digits = new List<SignedDigit>();
        long v = value;
        int shift = 0;
        while (v != 0)
        {
            if ((v & 1) != 0)
            {
                // v mod 4 == 1 -> digit +1; v mod 4 == 3 -> digit -1 (the NAF rule).
                long d = 2 - (long)((ulong)v & 3);
                digits.Add(new SignedDigit(shift, d < 0));
                v -= d;
            }
            v >>= 1;
            shift++;
        }
        return digits;
    }

    /// <summary>Number of non-zero digits of the CSD form of <paramref name="value"/>.</summary>
    public static int Weight(long value) => Digits(value).Count;
}
