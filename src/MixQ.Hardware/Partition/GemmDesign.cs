using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;

namespace MixQ.Hardware.Partition;

/// <summary>
/// A sized mixed-scheme GEMM engine on a device: a LUT core of <see cref="LutLanes"/> multipliers (in groups of
/// <see cref="TreeInputs"/> feeding one adder tree) and a DSP core of <see cref="Dsps"/> slices, both working on the
/// same activations; its resources and the cycles each layer takes.
/// </summary>
public sealed record GemmDesign(
    FpgaDevice Device,
    int TreeInputs,
    int LutGroups,
    int DspGroups,
    CoreFormat? LutLaneFormat,
    Resources LutCore,
    Resources DspCore,
    Resources Control,
    IReadOnlyList<long> LayerCycles)
{
    public int LutLanes => LutGroups * TreeInputs;

    public int Dsps => DspGroups * TreeInputs;

    public Resources Total => LutCore + DspCore + Control;

    /// <summary>Cycles per inference (layers run one after another on the shared cores).</summary>
    public long Cycles => LayerCycles.Sum();

    public double LatencySeconds => Cycles / (Device.ClockMHz * 1e6);

    public double FramesPerSecond => Cycles == 0 ? 0 : Device.ClockMHz * 1e6 / Cycles;
}
