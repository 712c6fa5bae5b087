using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Integer;

/// <summary>
/// A PoT or SP2 weight as the hardware applies it: x * v = ±((x &lt;&lt; ShiftA) + (x &lt;&lt; ShiftB)), a shift of -1
/// meaning "no term" (PoT words have at most one term, the zero level none). Shifts are F - e for the row frame F.
/// </summary>
public readonly record struct ShiftCode(bool Negative, int ShiftA, int ShiftB)
{
    public static ShiftCode From(NumberFormat format, int frame, byte word)
    {
        WeightCodec.CheckWord(format, word);
        bool negative = (word >> (format.Bits - 1) & 1) == 1;
        switch (format.Scheme)
        {
            case QuantScheme.PowerOfTwo:
            {
                int field = word & ((1 << (format.Bits - 1)) - 1);
                return field == 0 ? new ShiftCode(false, -1, -1) : new ShiftCode(negative, Shift(frame, field - 1), -1);
            }
            case QuantScheme.SP2:
            {
                var (e1, e2) = WeightCodec.Sp2Exponents(format, word);
                return new ShiftCode(negative && (e1 | e2) != 0, e1 == 0 ? -1 : Shift(frame, e1), e2 == 0 ? -1 : Shift(frame, e2));
            }
            default:
                throw new ArgumentException($"{format} is not a shift format (PoT or SP2)", nameof(format));
        }
    }

    /// <summary>x times the weight, with shifts and one add only.</summary>
    public long Apply(long x)
    {
        long sum = (ShiftA < 0 ? 0 : x << ShiftA) + (ShiftB < 0 ? 0 : x << ShiftB);
        return Negative ? -sum : sum;
    }

    private static int Shift(int frame, int exponent) =>
        exponent <= frame ? frame - exponent : throw new MixQException($"weight exponent {exponent} is beyond its row frame {frame}");
}
