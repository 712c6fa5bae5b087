using MixQ.Hardware.Devices;

namespace MixQ.Hardware.Cost;

/// <summary>
/// How many low-bit products one DSP slice computes per cycle, and the exact arithmetic that makes it so.
///
/// <para>Two products (weights up to 8 bits, activations up to 8 bits): the two weights that share an activation x
/// go into the A port as A = w1 * 2^S + w2 and x into B; P = A * x = w1*x * 2^S + w2*x. Each product of a signed
/// m-bit weight and an unsigned a-bit activation fits in S = m + a signed bits, so the low lane is P[S-1:0] and
/// the high lane is P[..:S] plus the low lane's sign bit (the borrow the negative low lane took from it): one
/// small correction adder per extra lane, in LUTs.</para>
///
/// <para>Four products (weights and activations up to 4 bits): a 2x2 outer product, A = x1 + x2 * 2^(2S),
/// B = w1 + w2 * 2^S, so P = x1w1 + x1w2 * 2^S + x2w1 * 2^(2S) + x2w2 * 2^(3S): two rows times two activations
/// (two output positions of a GEMM), four lanes of S bits, each corrected by the sign of the lane below.</para>
///
/// <para>Fixed-point weights are symmetric (|w| &lt;= 2^(m-1) - 1, methods.md §1), so a packed weight word fits S + m
/// signed bits; the most negative two's-complement weight would need one more.</para>
///
/// <para>A lane layout is only allowed when the packed operands fit the A and B ports (25x18 on DSP48E1, 27x18 on
/// DSP48E2) and the product fits the 48-bit P register; <see cref="Extract"/> is the reference the tests check
/// exhaustively against plain multiplication.</para>
/// </summary>
public static class DspPacking
{
    /// <summary>Signed width of the A port multiplier input.</summary>
    public static int PortA(DspKind kind) => kind == DspKind.DSP48E1 ? 25 : 27;

    /// <summary>Signed width of the B port.</summary>
    public const int PortB = 18;

    /// <summary>Width of the P register.</summary>
    public const int PortP = 48;

    /// <summary>Products per DSP per cycle for signed <paramref name="weightBits"/>-bit weights and unsigned <paramref name="actBits"/>-bit activations.</summary>
    public static int ProductsPerDsp(int weightBits, int actBits, DspKind kind)
    {
        if (Fits(4, weightBits, actBits, kind)) return 4;
        if (Fits(2, weightBits, actBits, kind)) return 2;
        return 1;
    }

    /// <summary>Lane spacing S: a signed m-bit times unsigned a-bit product needs m + a signed bits.</summary>
    public static int LaneBits(int weightBits, int actBits) => weightBits + actBits;

    /// <summary>Whether a <paramref name="products"/>-lane layout fits the ports of <paramref name="kind"/>.</summary>
    public static bool Fits(int products, int weightBits, int actBits, DspKind kind)
    {
        int s = LaneBits(weightBits, actBits);
        switch (products)
        {
            case 1:
                return weightBits <= PortA(kind) && actBits + 1 <= PortB;
            case 2:
                // A = w1 * 2^S + w2 (signed): needs S + m bits; B = x (unsigned, one more signed bit); P: 2S bits.
                return s + weightBits <= PortA(kind) && actBits + 1 <= PortB && 2 * s <= PortP;
            case 4:
                // A = x1 + x2 * 2^(2S) (non-negative: 2S + a + 1 signed bits); B = w1 + w2 * 2^S (S + m bits); P: 4S bits.
                // Only worth it (and only claimed) for products of at most 4-bit operands.
                return weightBits <= 4 && actBits <= 4 &&
                       2 * s + actBits + 1 <= PortA(kind) && s + weightBits <= PortB && 4 * s <= PortP;
            default:
                return false;
        }
    }

    /// <summary>
    /// Simulates one packed DSP multiply for two weights sharing activation <paramref name="x"/>: forms the port
    /// operands, multiplies as the slice would (exact integer product), and extracts both lanes with the sign
    /// correction. Returns (w1 * x, w2 * x) when the layout is right.
    /// </summary>
    public static (long High, long Low) Extract2(int w1, int w2, int x, int weightBits, int actBits)
    {
        int s = LaneBits(weightBits, actBits);
        long a = ((long)w1 << s) + w2;
        long p = a * x;
        long low = SignExtend(p, s);
        // The high lane is what is left above S once the sign-extended low lane is taken out: P >> S plus its sign bit.
        long high = (p >> s) + ((p >> (s - 1)) & 1);
        return (high, low);
    }

    /// <summary>
    /// Simulates the four-product 2x2 outer-product packing: returns x1w1, x1w2, x2w1, x2w2 extracted lane by lane
    /// from the single product P = (x1 + x2 2^(2S)) (w1 + w2 2^S).
    /// </summary>
    public static long[] Extract4(int x1, int x2, int w1, int w2, int weightBits, int actBits)
    {
        int s = LaneBits(weightBits, actBits);
        long a = x1 + ((long)x2 << (2 * s));
        long b = w1 + ((long)w2 << s);
        long p = a * b;
        var lanes = new long[4];
        long rest = p;
        for (int i = 0; i < 4; i++)
        {
            long lane = SignExtend(rest, s);
            lanes[i] = lane;
            // Remove the lane exactly (it may be negative, i.e. it borrowed from the lanes above).
            rest = (rest - lane) >> s;
        }
        return lanes;
    }

    private static long SignExtend(long value, int bits)
    {
        int shift = 64 - bits;
        return (value << shift) >> shift;
    }
}
