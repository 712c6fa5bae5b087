namespace MixQ.Quantization.Integer;

/// <summary>
/// From accumulators to the next layer's codes (or to the output logits), per channel c (first per-sample axis; one entry means one
/// for the whole tensor): with p = acc * Multipliers[c] (exact, |p| &lt; 2^94) and s = Shifts[c],
/// out = clamp(round(p / 2^s), Min, Max), rounding half away from zero — the project-wide rule
/// (see <see cref="Requantizer"/>). Multipliers are positive and below 2^31; shifts are 0..94.
/// </summary>
public sealed record IntRequantize(string Name, int[] Multipliers, int[] Shifts, long Min, long Max) : IntLayer(Name)
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
        if (Multipliers.Length == 0 || Shifts.Length != Multipliers.Length)
            throw new MixQException($"requantize '{Name}': {Multipliers.Length} multipliers and {Shifts.Length} shifts");
        for (int c = 0; c < Multipliers.Length; c++)
        {
            if (Multipliers[c] < 0) throw new MixQException($"requantize '{Name}': channel {c} has a negative multiplier {Multipliers[c]}");
            if (Shifts[c] is < 0 or > Requantizer.MaxShift) throw new MixQException($"requantize '{Name}': channel {c} has shift {Shifts[c]} (0..{Requantizer.MaxShift})");
        }
        if (Min > Max) throw new MixQException($"requantize '{Name}': min {Min} is above max {Max}");
        return this;
    }
}
