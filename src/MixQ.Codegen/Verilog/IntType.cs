namespace MixQ.Codegen.Verilog;

/// <summary>A hardware integer: <see cref="Bits"/> wide, two's complement when <see cref="Signed"/>.</summary>
public readonly record struct IntType(int Bits, bool Signed)
{
    /// <summary>The narrowest type that holds every integer in [min, max].</summary>
    public static IntType ForRange(long min, long max)
    {
        if (min > max) throw new ArgumentException($"empty range [{min}, {max}]");
        if (min >= 0)
        {
            int bits = 1;
            while (bits < 63 && max > (1L << bits) - 1) bits++;
            return new IntType(bits, false);
        }
        return new IntType(Quantization.Integer.IntegerModel.BitsFor(min, max), true);
    }

    /// <summary>Bits of an unsigned field holding 0..<paramref name="max"/> (at least 1, also for a negative max).</summary>
    public static int UnsignedBits(long max) => ForRange(0, Math.Max(0, max)).Bits;

    /// <summary>Bits of a counter with <paramref name="count"/> states, 0..count-1 (at least 1).</summary>
    public static int CounterBits(int count) => UnsignedBits(count - 1L);

    /// <summary>Bits of a non-negative magnitude without a sign bit (0 for 0): the width of a constant multiplier or offset.</summary>
    public static int BitLength(long magnitude) => 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)magnitude);

    /// <summary>Bits needed to hold this type as a signed value (one more for unsigned types).</summary>
    public int SignedBits => Signed ? Bits : Bits + 1;

    /// <summary>Verilog that extends <paramref name="expr"/> (of this type) to a signed value of <paramref name="width"/> bits.</summary>
    public string ExtendTo(string expr, int width)
    {
        if (width < SignedBits) throw new ArgumentException($"cannot extend {this} to {width} signed bits");
        int extra = width - Bits;
        if (extra == 0) return $"$signed({expr})";
        string fill = Signed ? $"{{{extra}{{{expr}[{Bits - 1}]}}}}" : $"{extra}'d0";
        return $"$signed({{{fill}, {expr}}})";
    }

    public override string ToString() => $"{(Signed ? "s" : "u")}{Bits}";
}
