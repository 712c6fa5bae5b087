using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Partition;

namespace MixQ.Hardware.Estimate;

/// <summary>
/// Resources, cycles, latency and throughput of one design ("gemm" or "unrolled") of a quantized model on a device,
/// per layer and in total, and whether it fits (<see cref="Overruns"/> says by how much it does not).
/// </summary>
public sealed record DesignEstimate(
    string Architecture,
    FpgaDevice Device,
    int ActivationBits,
    IReadOnlyList<LayerEstimate> Layers,
    Resources Total,
    long Cycles,
    long CyclesPerFrame,
    GemmDesign? Gemm)
{
    public long Macs => Layers.Sum(l => l.Macs);

    /// <summary>Time from input to output, at the device clock.</summary>
    public double LatencySeconds => Cycles / (Device.ClockMHz * 1e6);

    /// <summary>Inferences per second: one frame every <see cref="CyclesPerFrame"/> cycles (layers of an unrolled design overlap).</summary>
    public double FramesPerSecond => CyclesPerFrame == 0 ? 0 : Device.ClockMHz * 1e6 / CyclesPerFrame;

    /// <summary>Effective bit operations of the unrolled design (0 for a GEMM engine).</summary>
    public double Ebops => Layers.Sum(l => l.Ebops);

    public IReadOnlyList<ResourceOverrun> Overruns
    {
        get
        {
            var list = new List<ResourceOverrun>();
            void Check(string name, double needed, double available)
            {
                if (needed > available + 1e-9) list.Add(new ResourceOverrun(name, needed, available));
            }
            Check("LUT", Total.Luts, Device.Luts);
            Check("FF", Total.FlipFlops, Device.FlipFlops);
            Check("DSP", Total.Dsps, Device.Dsps);
            Check("BRAM36", Total.Bram36, Device.Bram36);
            return list;
        }
    }

    public bool Fits => Overruns.Count == 0;
}
