using MixQ.Hardware.Cost;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Hardware.Partition;

/// <summary>A weight format and the multiplier it runs on; <see cref="OnDsp"/> says which core (DSP or LUT) takes its rows.</summary>
public sealed record CoreFormat(NumberFormat Format, MultiplierKind Kind)
{
    public bool OnDsp => CostModel.UsesDsp(Kind);

    /// <summary>The default placement: fixed point on the DSP core, PoT and SP2 on the LUT core.</summary>
    public static CoreFormat Default(NumberFormat format) => new(format, CostModel.DefaultKind(format));

    public override string ToString() => Kind == MultiplierKind.FixedLut ? $"{Format}@lut" : Format.ToString();
}
