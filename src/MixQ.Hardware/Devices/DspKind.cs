namespace MixQ.Hardware.Devices;

/// <summary>The DSP slice of a device family; it fixes the multiplier width and so how many low-bit products pack into one slice.</summary>
public enum DspKind
{
    /// <summary>7-series (Zynq-7000, Artix/Kintex/Virtex-7): signed 25x18 multiplier, 48-bit accumulator.</summary>
    DSP48E1,

    /// <summary>UltraScale and UltraScale+: signed 27x18 multiplier, 48-bit accumulator.</summary>
    DSP48E2,
}
