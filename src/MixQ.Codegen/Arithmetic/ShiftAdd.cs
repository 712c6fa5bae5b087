using MixQ.Quantization.NumberSystems;

namespace MixQ.Codegen.Arithmetic;

/// <summary>
/// Turns a row of constant integer weights into shift-add terms: Σ_i x_i v_i = Σ_terms ±(x_i &lt;&lt; s).
/// PoT and SP2 weights use their own exponents (one or two shifts — the number system's hardware meaning);
/// fixed-point weights use their CSD digits. Terms are ordered by input index, then shift: deterministic.
/// </summary>
public static class ShiftAdd
{
    /// <summary>
    /// Terms of one weight v for a row in <paramref name="format"/>. For PoT and SP2 rows v is ±2^a or
    /// ±(2^a + 2^b); equal exponents (2^a + 2^a) merge into one shift. Fixed rows use CSD.
    /// </summary>
    public static void AppendWeight(List<ShiftAddTerm> terms, int input, long v, QuantScheme scheme)
    {
        if (v == 0) return;
        if (scheme is QuantScheme.PowerOfTwo or QuantScheme.SP2)
        {
            bool negative = v < 0;
            long m = Math.Abs(v);
            // m has at most two set bits; write each as one shifted copy of the input.
            int count = System.Numerics.BitOperations.PopCount((ulong)m);
            if (count > 2) throw new ArgumentException($"weight {v} is not a PoT/SP2 multiplicand (more than two powers of two)");
            for (int s = 0; s < 63; s++)
                if ((m >> s & 1) != 0) terms.Add(new ShiftAddTerm(input, s, negative));
            return;
        }
        foreach (var d in Csd.Digits(v)) terms.Add(new ShiftAddTerm(input, d.Shift, d.Negative));
    }

    /// <summary>All terms of a row of weights.</summary>
    public static List<ShiftAddTerm> Row(ReadOnlySpan<long> weights, QuantScheme scheme)
    {
        var terms = new List<ShiftAddTerm>();
        for (int i = 0; i < weights.Length; i++) AppendWeight(terms, i, weights[i], scheme);
        return terms;
    }

    /// <summary>Σ ±(x[input] &lt;&lt; shift): the value the terms compute (the reference for tests and the simulator).</summary>
    public static long Evaluate(IEnumerable<ShiftAddTerm> terms, ReadOnlySpan<long> inputs)
    {
        long sum = 0;
        foreach (var t in terms)
        {
            long x = inputs[t.Input] << t.Shift;
            sum += t.Negative ? -x : x;
        }
        return sum;
    }
}
