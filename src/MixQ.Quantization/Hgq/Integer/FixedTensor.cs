namespace MixQ.Quantization.Hgq.Integer;

/// <summary>
/// One sample's activations in the integer evaluator: element e holds the exact value
/// <see cref="Values"/>[e] 2^-<see cref="FractionalBits"/>[e] (each element may sit on its own grid).
/// </summary>
public sealed class FixedTensor(long[] values, int[] fractionalBits, int[] shape)
{
    public long[] Values { get; } = values;
    public int[] FractionalBits { get; } = fractionalBits;
    public int[] Shape { get; } = shape;
    public int Size => Values.Length;

    /// <summary>The exact value of element <paramref name="e"/> (exact in double while |value| &lt; 2^53).</summary>
    public double ValueAt(int e) => Math.ScaleB((double)Values[e], -FractionalBits[e]);

    /// <summary>
    /// Float inputs written exactly as integers: a finite float is m 2^e with |m| &lt; 2^24, so each element becomes
    /// (m, -e) with no rounding. This is where data enters; everything after it is integer arithmetic.
    /// </summary>
    public static FixedTensor FromFloats(ReadOnlySpan<float> data, int[] shape)
    {
        var values = new long[data.Length];
        var frac = new int[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            float x = data[i];
            if (!float.IsFinite(x)) throw new MixQException($"input element {i} is {x}: integer evaluation needs finite inputs");
            if (x == 0f) continue;
            int exponent = MathF.ILogB(x) - 23; // x = m 2^exponent with a 24-bit integer m
            values[i] = (long)Math.ScaleB((double)x, -exponent);
            frac[i] = -exponent;
        }
        return new FixedTensor(values, frac, shape);
    }
}
