using MixQ.Quantization.NumberSystems;

namespace MixQ.Hardware.Cost;

/// <summary>
/// The non-zero level magnitudes of a weight format as integers on the format's own grid, i.e. what a hardware
/// multiplier really multiplies by: fixed-point k (levels k / (2^(m-1) - 1)); SP2 2^(J - j1) + 2^(J - j2) with
/// J = 2^m1 - 1 (levels 2^-j1 + 2^-j2); PoT 2^(J - j), J = 2^(m-1) - 2. Scales stay outside (they fold into the
/// requantization multiplier). PoT wider than 7 bits has shifts beyond 64 bits and is not representable here.
/// </summary>
public static class IntegerLevels
{
    /// <summary>log2 of the grid denominator for PoT and SP2 (the largest shift), 0 for fixed point.</summary>
    public static int MaxShift(NumberFormat format) => format.Scheme switch
    {
        QuantScheme.Fixed => 0,
        QuantScheme.PowerOfTwo => (1 << (format.Bits - 1)) - 2,
        QuantScheme.SP2 => format.Sp2Split.FirstMaxExponent,
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Distinct non-zero magnitudes, ascending.</summary>
    public static long[] Magnitudes(NumberFormat format)
    {
        var set = new SortedSet<long>();
        switch (format.Scheme)
        {
            case QuantScheme.Fixed:
                for (long k = 1; k <= (1L << (format.Bits - 1)) - 1; k++) set.Add(k);
                break;
            case QuantScheme.PowerOfTwo:
            {
                int j = MaxShift(format);
                if (j > 62) throw new MixQException($"{format}: shifts up to {j} bits do not fit a 64-bit integer grid");
                for (int e = 0; e <= j; e++) set.Add(1L << (j - e));
                break;
            }
            case QuantScheme.SP2:
            {
                var split = format.Sp2Split;
                int j = split.FirstMaxExponent;
                for (int e1 = 0; e1 <= split.FirstMaxExponent; e1++)
                    for (int e2 = 0; e2 <= split.SecondMaxExponent; e2++)
                    {
                        long v = (e1 == 0 ? 0 : 1L << (j - e1)) + (e2 == 0 ? 0 : 1L << (j - e2));
                        if (v != 0) set.Add(v);
                    }
                break;
            }
        }
        return set.ToArray();
    }

    /// <summary>Bits of the largest magnitude (without sign).</summary>
    public static int MagnitudeBits(NumberFormat format) => format.Scheme == QuantScheme.Fixed
        ? format.Bits - 1
        : MaxShift(format) + 1;
}
