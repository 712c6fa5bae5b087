namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// How an m-bit SP2 code divides its bits: one sign bit, <see cref="FirstBits"/> (m1) bits for the exponent
/// of the first power of two q1 and <see cref="SecondBits"/> (m2) for the second q2, m = 1 + m1 + m2.
/// Each exponent field of b bits encodes "zero" plus 2^b - 1 exponents, so q1 ∈ {0} ∪ {2^-j : j = 1..2^m1 - 1}
/// and q2 ∈ {0} ∪ {2^-j : j = 1..2^m2 - 1}. The paper asks for m1 >= m2; we give the spare bit of an even
/// m - 1 to q1: m1 = ceil((m - 1) / 2), m2 = floor((m - 1) / 2) (4 bits: 2 + 1; 8 bits: 4 + 3).
/// </summary>
public sealed record Sp2Split(int FirstBits, int SecondBits)
{
    /// <summary>The split for <paramref name="bits"/> total bits (sign included).</summary>
    public static Sp2Split ForBits(int bits) => new(bits / 2, (bits - 1) / 2);

    /// <summary>Largest exponent of q1: 2^m1 - 1.</summary>
    public int FirstMaxExponent => (1 << FirstBits) - 1;

    /// <summary>Largest exponent of q2: 2^m2 - 1 (0 when m2 = 0, i.e. q2 is always zero).</summary>
    public int SecondMaxExponent => (1 << SecondBits) - 1;
}
