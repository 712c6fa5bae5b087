using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The m-bit word that weight memory holds for one weight, in the low m bits of a byte (upper bits zero), and
/// the integer multiplicand it stands for in its row's frame. Layouts (m = total bits, sign included):
/// <list type="bullet">
/// <item>fixed-m: k in m-bit two's complement, |k| &lt;= K = 2^(m-1) - 1 (level k / K); multiplicand v = k.</item>
/// <item>pot-m: bit m-1 = sign (1 negative), bits 0..m-2 = field f: f = 0 is the zero level, otherwise the level is
/// 2^-(f-1); multiplicand v = ±2^(F - (f - 1)) for the row frame F (a left shift of the activation).</item>
/// <item>sp2-m with m = 1 + m1 + m2: bit m-1 = sign, bits m2..m2+m1-1 = e1, bits 0..m2-1 = e2; a field of 0 is a
/// zero term, otherwise the term is 2^-e; level ±(2^-e1 + 2^-e2); multiplicand v = ±(2^(F-e1) + 2^(F-e2)) —
/// two shifts and an add.</item>
/// </list>
/// The frame F of a PoT/SP2 row is the largest exponent the row uses, so every multiplicand is an integer;
/// the row's real weight is alpha_r * 2^-F * v (fixed rows: alpha_r / K * v).
/// </summary>
public static class WeightCodec
{
    /// <summary>The m-bit word of a level code (as produced by <see cref="LevelSet.Codes"/>).</summary>
    public static byte Encode(NumberFormat format, LevelCode code)
    {
        int m = format.Bits;
        int mask = (1 << m) - 1;
        switch (code)
        {
            case FixedCode f when format.Scheme == QuantScheme.Fixed:
                return (byte)(f.K & mask);
            case PowerOfTwoCode p when format.Scheme == QuantScheme.PowerOfTwo:
                if (p.IsZero) return 0;
                return (byte)((p.Negative ? 1 << (m - 1) : 0) | (p.Exponent + 1));
            case Sp2Code s when format.Scheme == QuantScheme.SP2:
            {
                var split = format.Sp2Split;
                int e1 = s.FirstIsZero ? 0 : s.FirstExponent, e2 = s.SecondIsZero ? 0 : s.SecondExponent;
                if (e1 == 0 && e2 == 0) return 0;
                return (byte)((s.Negative ? 1 << (m - 1) : 0) | (e1 << split.SecondBits) | e2);
            }
            default:
                throw new ArgumentException($"code {code} does not belong to format {format}", nameof(code));
        }
    }

    /// <summary>The level code a stored word stands for (inverse of <see cref="Encode"/>, zero without sign).</summary>
    public static LevelCode Decode(NumberFormat format, byte word)
    {
        CheckWord(format, word);
        int m = format.Bits;
        bool negative = (word >> (m - 1) & 1) == 1;
        switch (format.Scheme)
        {
            case QuantScheme.Fixed:
                return new FixedCode(SignExtend(word, m), (1 << (m - 1)) - 1);
            case QuantScheme.PowerOfTwo:
            {
                int field = word & ((1 << (m - 1)) - 1);
                return field == 0 ? new PowerOfTwoCode(false, true, 0) : new PowerOfTwoCode(negative, false, field - 1);
            }
            default:
            {
                var (e1, e2) = Sp2Exponents(format, word);
                bool zero = e1 == 0 && e2 == 0;
                return new Sp2Code(negative && !zero, e1 == 0, e1, e2 == 0, e2);
            }
        }
    }

    /// <summary>
    /// The largest power-of-two exponent the word uses (PoT: f - 1, SP2: max(e1, e2)); -1 for the zero level and
    /// for fixed-point words (their frame is not a power of two).
    /// </summary>
    public static int Exponent(NumberFormat format, byte word)
    {
        CheckWord(format, word);
        switch (format.Scheme)
        {
            case QuantScheme.PowerOfTwo:
            {
                int field = word & ((1 << (format.Bits - 1)) - 1);
                return field - 1;
            }
            case QuantScheme.SP2:
            {
                var (e1, e2) = Sp2Exponents(format, word);
                return e1 == 0 && e2 == 0 ? -1 : Math.Max(e1, e2);
            }
            default:
                return -1;
        }
    }

    /// <summary>The integer multiplicand v of a word in a row with frame <paramref name="frame"/> (see the class summary).</summary>
    public static long Value(NumberFormat format, int frame, byte word)
    {
        CheckWord(format, word);
        int m = format.Bits;
        if (format.Scheme == QuantScheme.Fixed) return SignExtend(word, m);
        bool negative = (word >> (m - 1) & 1) == 1;
        long magnitude;
        if (format.Scheme == QuantScheme.PowerOfTwo)
        {
            int field = word & ((1 << (m - 1)) - 1);
            if (field == 0) return 0;
            magnitude = Pow2(frame - (field - 1));
        }
        else
        {
            var (e1, e2) = Sp2Exponents(format, word);
            magnitude = (e1 == 0 ? 0 : Pow2(frame - e1)) + (e2 == 0 ? 0 : Pow2(frame - e2));
        }
        return negative ? -magnitude : magnitude;
    }

    /// <summary>The two exponent fields of an SP2 word (0 = that term is zero).</summary>
    public static (int E1, int E2) Sp2Exponents(NumberFormat format, byte word)
    {
        var split = format.Sp2Split;
        int e2 = word & ((1 << split.SecondBits) - 1);
        int e1 = word >> split.SecondBits & ((1 << split.FirstBits) - 1);
        return (e1, e2);
    }

    /// <summary>Throws when bits above the format's width are set or a fixed word is the unused -2^(m-1).</summary>
    public static void CheckWord(NumberFormat format, byte word)
    {
        int m = format.Bits;
        if (word >> m != 0) throw new MixQException($"weight word 0x{word:x2} has bits above the {m} bits of {format}");
        if (format.Scheme == QuantScheme.Fixed && word == 1 << (m - 1))
            throw new MixQException($"weight word 0x{word:x2} is -2^{m - 1}, outside the symmetric range of {format}");
    }

    private static int SignExtend(int word, int bits) => word << (32 - bits) >> (32 - bits);

    private static long Pow2(int exponent) =>
        exponent is >= 0 and <= 62 ? 1L << exponent : throw new MixQException($"weight exponent gives 2^{exponent}, outside the row frame");
}
