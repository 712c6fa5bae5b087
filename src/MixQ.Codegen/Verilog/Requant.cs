using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// The requantization of one output channel: clamp(round_half_away((acc * Multiplier + Offset) / 2^Shift), Min, Max)
/// (the integer engine's <see cref="Requantizer"/> rule). <see cref="Identity"/> marks a layer whose accumulators
/// leave the layer unchanged (the logits of a last Dense layer without requantization).
/// </summary>
public readonly record struct Requant(long Multiplier, int Shift, long Offset, long Min, long Max, bool Identity)
{
    public static Requant None(long min, long max) => new(1, 0, 0, min, max, true);

    /// <summary>A clamp only (multiplier 1, no shift): HGQ's ReLU on accumulators.</summary>
    public static Requant Clamp(long min, long max) => new(1, 0, 0, min, max, false);

    /// <summary>Per-channel requantization of <paramref name="channels"/> outputs from an IntRequantize (broadcast when it has one entry), narrowed by an optional clamp.</summary>
    public static Requant[] From(IntRequantize r, int channels, IntClamp? clamp)
    {
        if (r.Channels != 1 && r.Channels != channels)
            throw new MixQException($"requantize '{r.Name}' has {r.Channels} channels for {channels} outputs");
        long min = r.Min, max = r.Max;
        if (clamp is not null) (min, max) = (Math.Max(min, clamp.Min), Math.Min(max, clamp.Max));
        if (min > max) (min, max) = (clamp!.Min, clamp.Min);
        var result = new Requant[channels];
        for (int c = 0; c < channels; c++)
        {
            int k = r.Channels == 1 ? 0 : c;
            result[c] = new Requant(r.Multipliers[k], r.Shifts[k], r.Offsets[k], min, max, false);
        }
        return result;
    }

    /// <summary>The value hardware computes for an accumulator (the reference the writers are tested against).</summary>
    public long Apply(long acc) => Identity ? acc : Requantizer.Apply(acc, (int)Multiplier, Shift, Offset, Min, Max);
}
