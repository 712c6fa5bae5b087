namespace MixQ.Hardware.Devices;

/// <summary>
/// The resources of one FPGA that the cost model budgets against: 6-input LUTs, flip-flops, DSP slices (with their
/// kind), 36 Kb block RAMs, and the clock a design on it is assumed to reach.
/// </summary>
public sealed record FpgaDevice
{
    public FpgaDevice(string name, long luts, long flipFlops, DspKind dspKind, long dsps, long bram36, double clockMHz)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (luts <= 0) throw new MixQException($"device {name}: luts must be positive, got {luts}");
        if (flipFlops < 0) throw new MixQException($"device {name}: flip_flops must not be negative, got {flipFlops}");
        if (dsps < 0) throw new MixQException($"device {name}: dsps must not be negative, got {dsps}");
        if (bram36 < 0) throw new MixQException($"device {name}: bram36 must not be negative, got {bram36}");
        if (!(clockMHz > 0) || double.IsInfinity(clockMHz)) throw new MixQException($"device {name}: clock_mhz must be positive, got {clockMHz}");
        Name = name;
        Luts = luts;
        FlipFlops = flipFlops;
        DspKind = dspKind;
        Dsps = dsps;
        Bram36 = bram36;
        ClockMHz = clockMHz;
    }

    public string Name { get; }

    /// <summary>6-input LUTs (slice LUTs).</summary>
    public long Luts { get; }

    public long FlipFlops { get; }

    public DspKind DspKind { get; }

    public long Dsps { get; }

    /// <summary>36 Kb block RAMs (each can also be used as two 18 Kb halves).</summary>
    public long Bram36 { get; }

    /// <summary>The clock the estimates assume, in MHz.</summary>
    public double ClockMHz { get; }

    /// <summary>The yosys synth_xilinx family of the device (xc7 for DSP48E1 parts, xcup for DSP48E2 parts).</summary>
    public string SynthFamily => DspKind == DspKind.DSP48E1 ? "xc7" : "xcup";

    /// <summary>Bits of one 36 Kb block RAM (36,864, parity bits included).</summary>
    public const long BitsPerBram36 = 36 * 1024;
}
