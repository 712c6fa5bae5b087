namespace MixQ.Hardware.Cost;

/// <summary>
/// Canonical signed digit (non-adjacent form) recoding of integer constants: digits in {-1, 0, +1}, no two adjacent
/// non-zero, so the count of non-zero digits is minimal. A constant multiply x * c becomes one shift per digit and
/// (digits - 1) adders; yosys does not recode constants itself, so generators emit this form (methods.md §6).
/// </summary>
public static class Csd
{
    /// <summary>The non-zero digits of <paramref name="value"/>, least significant first; empty for 0.</summary>
    public static IReadOnlyList<CsdDigit> Digits(long value)
    {
        bool negate = value < 0;
        // Work on the magnitude; a negative constant flips every digit's sign.
        ulong n = (ulong)Math.Abs(value);
        var digits = new List<CsdDigit>();
        int shift = 0;
        while (n != 0)
        {
            if ((n & 1) == 1)
            {
                // n mod 4 == 3 -> digit -1 (then n + 1 has a run of zeros); n mod 4 == 1 -> digit +1.
                bool minus = (n & 3) == 3;
                digits.Add(new CsdDigit(shift, minus ^ negate));
                n = minus ? n + 1 : n - 1;
            }
            n >>= 1;
            shift++;
        }
        return digits;
    }

    /// <summary>Number of non-zero CSD digits of <paramref name="value"/>.</summary>
    public static int Weight(long value) => Digits(value).Count;

    /// <summary>The value the digits stand for (the inverse of <see cref="Digits"/>).</summary>
    public static long Value(IEnumerable<CsdDigit> digits) => digits.Sum(d => (d.Negative ? -1L : 1L) << d.Shift);
}
