namespace MixQ.Quantization.Hgq;

/// <summary>Exact powers of two by table (Math.ScaleB is too slow for per-element hot loops) and a fast ceil(log2).</summary>
internal static class Pow2
{
    public const int Limit = 100;
    private static readonly float[] Floats = Enumerable.Range(-Limit, 2 * Limit + 1).Select(e => MathF.ScaleB(1f, e)).ToArray();
    private static readonly double[] Doubles = Enumerable.Range(-Limit, 2 * Limit + 1).Select(e => Math.ScaleB(1.0, e)).ToArray();

    /// <summary>2^e as a float (0 or infinity beyond float's range, exact inside it); |e| &lt;= 100.</summary>
    public static float Float(int e) => Floats[e + Limit];

    public static double Double(int e) => Doubles[e + Limit];

    /// <summary>ceil(log2 v) for a positive normal double, from its exponent and mantissa bits.</summary>
    public static int CeilLog2(double v)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        if (exponent == -1023) return FixedPointFormat.CeilLog2(v); // subnormal: the slow exact path
        return (bits & 0xF_FFFF_FFFF_FFFFL) == 0 ? exponent : exponent + 1;
    }
}
