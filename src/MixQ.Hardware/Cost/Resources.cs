namespace MixQ.Hardware.Cost;

/// <summary>
/// An amount of FPGA resources: LUTs, flip-flops, DSP slices and 36 Kb block RAMs. Fractional on purpose: one product
/// of a packed DSP is a quarter or half of a slice, and per-lane shares of shared logic are fractions.
/// </summary>
public readonly record struct Resources(double Luts, double FlipFlops, double Dsps, double Bram36)
{
    public static Resources Zero => default;

    public static Resources operator +(Resources a, Resources b) =>
        new(a.Luts + b.Luts, a.FlipFlops + b.FlipFlops, a.Dsps + b.Dsps, a.Bram36 + b.Bram36);

    public static Resources operator *(double k, Resources r) => new(k * r.Luts, k * r.FlipFlops, k * r.Dsps, k * r.Bram36);

    public static Resources operator *(Resources r, double k) => k * r;

    public static Resources Lut(double luts) => new(luts, 0, 0, 0);
}
