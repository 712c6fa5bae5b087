namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// Builds the non-negative half of each level set exactly (in double: every level is a dyadic rational
/// or k / K) together with the hardware code of each magnitude. Negative levels mirror these.
/// </summary>
internal static class LevelEnumeration
{
    /// <summary>Ascending magnitudes (the first is 0) and their codes (sign positive).</summary>
    public static (double[] Magnitudes, LevelCode[] Codes) NonNegative(NumberFormat format) => format.Scheme switch
    {
        QuantScheme.Fixed => Fixed(format.Bits),
        QuantScheme.PowerOfTwo => PowerOfTwo(format.Bits),
        QuantScheme.SP2 => Sp2(format.Sp2Split),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>The code of the mirrored negative level.</summary>
    public static LevelCode Negate(LevelCode code) => code switch
    {
        FixedCode f => f with { K = -f.K },
        PowerOfTwoCode p => p with { Negative = true },
        Sp2Code s => s with { Negative = true },
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    /// <summary>Fixed m bits: k / K, K = 2^(m-1) - 1, k = 0..K.</summary>
    private static (double[], LevelCode[]) Fixed(int bits)
    {
        int maxK = (1 << (bits - 1)) - 1;
        var mags = new double[maxK + 1];
        var codes = new LevelCode[maxK + 1];
        for (int k = 0; k <= maxK; k++)
        {
            mags[k] = (double)k / maxK;
            codes[k] = new FixedCode(k, maxK);
        }
        return (mags, codes);
    }

    /// <summary>PoT m bits: 0 and 2^-j, j = 0..2^(m-1) - 2 (8 bits reach 2^-126, float's smallest normal).</summary>
    private static (double[], LevelCode[]) PowerOfTwo(int bits)
    {
        int maxJ = (1 << (bits - 1)) - 2;
        var mags = new double[maxJ + 2];
        var codes = new LevelCode[maxJ + 2];
        mags[0] = 0;
        codes[0] = new PowerOfTwoCode(false, true, 0);
        for (int j = maxJ; j >= 0; j--)
        {
            int slot = maxJ - j + 1;
            mags[slot] = Math.ScaleB(1.0, -j);
            codes[slot] = new PowerOfTwoCode(false, false, j);
        }
        return (mags, codes);
    }

    /// <summary>
    /// SP2: the distinct sums q1 + q2 with q1 ∈ {0} ∪ {2^-j : j = 1..2^m1 - 1}, q2 ∈ {0} ∪ {2^-j : j = 1..2^m2 - 1},
    /// taken literally from methods.md §1 with no renormalisation. For m1 = 2, m2 = 1 this is
    /// {0, 1/2, 1/4, 1/8} + {0, 1/2} = {0, 1/8, 1/4, 1/2, 5/8, 3/4, 1}: exactly the 13-level example, and the
    /// largest level is 1/2 + 1/2 = 1 whenever m2 >= 1. For 8 bits (m1 = 4, m2 = 3) there are 94 magnitudes
    /// (187 levels), and the two largest are 1 = 1/2 + 1/2 and 3/4 = 1/2 + 1/4: nothing lies between 3/4 and 1.
    /// (2 bits: m2 = 0, q2 is always 0, so Q = {0, ±1/2}.)
    /// <para>Several pairs can give the same value (1/2 = 1/2 + 0 = 0 + 1/2 = 1/4 + 1/4). The code kept is the
    /// first in this order: fewest non-zero terms, then q1 before q2, then the larger q1 (smaller exponent).
    /// Any pair decodes to the same value, so this only fixes the bit pattern deterministically.</para>
    /// </summary>
    private static (double[], LevelCode[]) Sp2(Sp2Split split)
    {
        int max1 = split.FirstMaxExponent, max2 = split.SecondMaxExponent;
        var byValue = new SortedDictionary<double, LevelCode>();
        void Offer(bool zero1, int e1, bool zero2, int e2)
        {
            var code = new Sp2Code(false, zero1, zero1 ? 0 : e1, zero2, zero2 ? 0 : e2);
            byValue.TryAdd(code.Decode(), code);
        }
        Offer(true, 0, true, 0);
        for (int e1 = 1; e1 <= max1; e1++) Offer(false, e1, true, 0);
        for (int e2 = 1; e2 <= max2; e2++) Offer(true, 0, false, e2);
        for (int e1 = 1; e1 <= max1; e1++)
            for (int e2 = 1; e2 <= max2; e2++) Offer(false, e1, false, e2);
        return (byValue.Keys.ToArray(), byValue.Values.ToArray());
    }
}
