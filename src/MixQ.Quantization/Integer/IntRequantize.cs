namespace MixQ.Quantization.Integer;

/// <summary>
/// From accumulators to the next layer's codes (or to the output logits), per channel c (first per-sample axis; one
/// entry means one for the whole tensor): with p = acc * Multipliers[c] + Offsets[c] (exact) and s = Shifts[c],
/// out = clamp(round(p / 2^s), Min, Max), rounding half away from zero — the project-wide rule
/// (see <see cref="Requantizer"/>). Multipliers are 0 or in [2^30, 2^31); shifts are 0..94. The offset carries the
/// preceding layer's bias at the multiplier's precision (2^-s of an output step) when the requantization follows a
/// Dense/Conv2d directly; the bias then need not be rounded to accumulator units.
/// </summary>
public sealed record IntRequantize(string Name, int[] Multipliers, int[] Shifts, long[] Offsets, long Min, long Max) : IntLayer(Name)
{
    public int Channels => Multipliers.Length;

    public override string Op => "requantize";

    public override int[] OutputShape(int[] inputShape)
    {
        if (Channels != 1 && (inputShape.Length < 1 || inputShape[0] != Channels))
            throw Mismatch(inputShape, $"{Channels} channels");
        return inputShape;
    }

    /// <summary>Throws a MixQException naming the first bad parameter.</summary>
    public IntRequantize Validate()
    {
        if (Multipliers.Length == 0 || Shifts.Length != Multipliers.Length || Offsets.Length != Multipliers.Length)
            throw new MixQException($"requantize '{Name}': {Multipliers.Length} multipliers, {Shifts.Length} shifts and {Offsets.Length} offsets");
        for (int c = 0; c < Multipliers.Length; c++)
        {
            if (Multipliers[c] < 0) throw new MixQException($"requantize '{Name}': channel {c} has a negative multiplier {Multipliers[c]}");
            if (Shifts[c] is < 0 or > Requantizer.MaxShift) throw new MixQException($"requantize '{Name}': channel {c} has shift {Shifts[c]} (0..{Requantizer.MaxShift})");
        }
        if (Min > Max) throw new MixQException($"requantize '{Name}': min {Min} is above max {Max}");
        return this;
    }
}
