using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Per-element fixed-point quantization (HGQ's activation quantizers in integer form). Element e of a per-sample
/// tensor becomes
/// <code>out[e] = overflow(round(x[e] / 2^Shifts[e]), Widths[e], Signed[e]) &lt;&lt; Aligns[e]</code>
/// (<see cref="ShiftRequantizer"/>): a right shift with <see cref="Rounding"/> (a negative shift is an exact left
/// shift) onto the element's own grid, overflow handling into its own <c>Widths[e]</c>-bit format, then a left
/// shift that puts every element on one common grid so that the next Dense/Conv2d sums plain integers. Width 0 is
/// the constant 0 (HGQ prunes such an element). The arrays are owned by the instance.
/// </summary>
public sealed record ElementFormats(int[] Shifts, int[] Widths, bool[] Signed, int[] Aligns, RoundingMode Rounding, OverflowMode Overflow)
{
    /// <summary>Shifts beyond this change nothing: x / 2^127 of a 64-bit x already rounds by its sign alone.</summary>
    public const int MaxShift = 127;

    public int Count => Shifts.Length;

    /// <summary>Throws a MixQException naming the first bad element.</summary>
    public ElementFormats Validate(string where, int count)
    {
        if (Shifts.Length != count || Widths.Length != count || Signed.Length != count || Aligns.Length != count)
            throw new MixQException($"{where}: {Shifts.Length} shifts, {Widths.Length} widths, {Signed.Length} signs and {Aligns.Length} alignments for {count} elements");
        if (!Enum.IsDefined(Rounding)) throw new MixQException($"{where}: unknown rounding mode {(int)Rounding}");
        if (!Enum.IsDefined(Overflow)) throw new MixQException($"{where}: unknown overflow mode {(int)Overflow}");
        for (int e = 0; e < count; e++)
        {
            if (Shifts[e] is < -MaxShift or > MaxShift) throw new MixQException($"{where}: element {e} has shift {Shifts[e]} (-{MaxShift}..{MaxShift})");
            if (Widths[e] is < 0 or > ShiftRequantizer.MaxWidth) throw new MixQException($"{where}: element {e} has width {Widths[e]} (0..{ShiftRequantizer.MaxWidth})");
            if (Aligns[e] < 0 || Aligns[e] + Widths[e] > ShiftRequantizer.MaxWidth)
                throw new MixQException($"{where}: element {e} has alignment {Aligns[e]} for {Widths[e]} bits (aligned codes must fit {ShiftRequantizer.MaxWidth} bits)");
        }
        return this;
    }

    /// <summary>The range of every aligned output.</summary>
    public (long Min, long Max) Range
    {
        get
        {
            long min = 0, max = 0;
            for (int e = 0; e < Count; e++)
            {
                min = Math.Min(min, ShiftRequantizer.LowestCode(Widths[e], Signed[e], Overflow) << Aligns[e]);
                max = Math.Max(max, ShiftRequantizer.MaxCode(Widths[e], Signed[e]) << Aligns[e]);
            }
            return (min, max);
        }
    }

    /// <summary>Element e of an integer tensor.</summary>
    public long Apply(int e, long x) => ShiftRequantizer.Apply(x, Shifts[e], Widths[e], Signed[e], Rounding, Overflow) << Aligns[e];

    /// <summary>Element e of a float input (the entrance).</summary>
    public long ApplyToFloat(int e, float x) => ShiftRequantizer.ApplyToFloat(x, Shifts[e], Widths[e], Signed[e], Rounding, Overflow) << Aligns[e];

    /// <summary>Field-by-field equality of the arrays (records compare arrays by reference).</summary>
    public bool SameAs(ElementFormats other) =>
        Shifts.AsSpan().SequenceEqual(other.Shifts) && Widths.AsSpan().SequenceEqual(other.Widths) && Signed.AsSpan().SequenceEqual(other.Signed)
        && Aligns.AsSpan().SequenceEqual(other.Aligns) && Rounding == other.Rounding && Overflow == other.Overflow;

    /// <summary>The names model.json uses for the modes.</summary>
    public static string Name(RoundingMode r) => r switch
    {
        RoundingMode.Truncate => "truncate",
        RoundingMode.RoundHalfUp => "half-up",
        RoundingMode.RoundHalfEven => "half-even",
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, null),
    };

    public static string Name(OverflowMode o) => o switch
    {
        OverflowMode.Wrap => "wrap",
        OverflowMode.Saturate => "saturate",
        OverflowMode.SymmetricSaturate => "symmetric",
        _ => throw new ArgumentOutOfRangeException(nameof(o), o, null),
    };

    public static RoundingMode? ParseRounding(string text) =>
        Enum.GetValues<RoundingMode>().Cast<RoundingMode?>().FirstOrDefault(r => Name(r!.Value) == text);

    public static OverflowMode? ParseOverflow(string text) =>
        Enum.GetValues<OverflowMode>().Cast<OverflowMode?>().FirstOrDefault(o => Name(o!.Value) == text);
}
