using MixQ.Hardware.Devices;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Hardware.Cost;

/// <summary>
/// The structural quantities each block's LUT count is taken to be linear in (docs/cost-model.md); the same functions
/// serve the least-squares fit on the calibration table and the model's predictions, so they cannot drift apart.
/// </summary>
internal static class CostFeatures
{
    /// <summary>Generic m x a array multiplier: partial-product bits m*a, operand bits m + a, a constant.</summary>
    public static double[] FixedLut(int m, int a) => [m * a, m + a, 1];

    /// <summary>PoT runtime: a log-shifter of width W = a + J with ceil(log2(J + 2)) stages, a W+1-bit negate.</summary>
    public static double[] PotRuntime(int m, int a)
    {
        int j = IntegerLevels.MaxShift(NumberFormat.PowerOfTwo(m));
        int w = a + j;
        return [w * Stages(j + 1), w, 1];
    }

    /// <summary>SP2 runtime: two log-shifters (m1 and m2 select bits) of width W = a + J + 1, a W-bit adder and a negate.</summary>
    public static double[] Sp2Runtime(int m, int a)
    {
        var split = NumberFormat.Sp2(m).Sp2Split;
        return ShiftAdd(a + split.FirstMaxExponent + 1, split.FirstBits + split.SecondBits);
    }

    /// <summary>A runtime two-term shift-add of a <paramref name="width"/>-bit datapath with <paramref name="selectBits"/> shift-select bits in all (the SP2 runtime block's features).</summary>
    public static double[] ShiftAdd(int width, int selectBits) => [width * selectBits, width, 1];

    /// <summary>
    /// CSD shift-add constant multiply x * c, x unsigned a bits: the digits are added from the lowest shift up. Bits of
    /// the running sum below the next term's shift pass through; a positive term overlapping the running sum costs
    /// the overlapping bits (the carry through the rest rides the carry chain), one above its top bit (digits at least
    /// a bits apart) is concatenation and costs nothing; once a negative digit is in, the sum is signed and every
    /// adder runs to the product's top bit. Returns [unsigned adder bits, signed adder bits, adders, adders x a]
    /// (the last because yosys merges a multi-term shift-add into one compressor whose size grows with the operand).
    /// </summary>
    public static double[] Constant(long magnitude, int a)
    {
        var digits = Csd.Digits(magnitude).OrderBy(d => d.Shift).ToArray();
        if (digits.Length <= 1) return [0, 0, 0, 0];
        int productTop = a + (64 - (int)ulong.LeadingZeroCount((ulong)magnitude)) + 1;
        int top = digits[0].Shift + a;
        bool signed = digits[0].Negative;
        double bits = 0, signedBits = 0, adders = 0;
        for (int j = 1; j < digits.Length; j++)
        {
            int s = digits[j].Shift;
            bool negative = digits[j].Negative;
            if (!negative && !signed && s >= top)
            {
                top = s + a;
                continue;
            }
            signed |= negative;
            // Positive: only the overlap [s, top) needs adder LUTs; the carry into the term's upper bits rides the
            // carry chain. Signed: the inverted term is added over the whole remaining width.
            if (signed) signedBits += productTop - s;
            else bits += top - s;
            adders++;
            top = Math.Min(productTop, Math.Max(top, s + a) + 1);
        }
        return [bits, signedBits, adders, adders * a];
    }

    /// <summary>
    /// Requantization multiplier acc * m + offset of a P = acc + m + 1-bit product: [P, split x P, split, 1], split when
    /// both operands are cut into pieces (more than two slices). yosys keeps the offset addition and the product
    /// register in the fabric for every block measured, one slice or several (the offset is as wide as the product); a
    /// product cut along one operand adds its two partial products in the same adder, one cut along both needs a
    /// second adder.
    /// </summary>
    public static double[] RequantMultiplier(int accBits, int constantBits, DspKind dsp)
    {
        int p = accBits + constantBits + 1;
        double split = CostModel.MultiplierDsps(accBits, constantBits + 1, dsp) > 2 ? 1 : 0;
        return [p, split * p, split, 1];
    }

    /// <summary>Requantization tail: [rounding-adder bits (0 without a shift), product bits compared, output bits, 1].</summary>
    public static double[] RequantTail(int width, int shift, int outBits) => [shift > 0 ? width : 0, width, outBits, 1];

    /// <summary>n-bit adder or accumulator: n, a constant.</summary>
    public static double[] Linear(int n) => [n, 1];

    /// <summary>Correction adders of a packed DSP: (lanes - 1) lanes of S = m + a bits.</summary>
    public static double[] PackedCorrection(int lanes, int m, int a) => [(lanes - 1) * (m + a)];

    /// <summary>Stages of a logarithmic shifter selecting among <paramref name="positions"/> shifts.</summary>
    public static int Stages(int positions) => positions <= 1 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(positions - 1));

    public static double Dot(double[] x, double[] c)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * c[i];
        return s;
    }
}
