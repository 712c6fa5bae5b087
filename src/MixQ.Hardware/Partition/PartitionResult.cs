using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Partition;

/// <summary>
/// The optimizer's answer: the row ratio (a <see cref="MixSpec"/>: its text is a valid `mixq quantize --ratio`), the
/// sized mixed engine, and the DSP-only fixed-point baselines it is compared with (packed as the cost model allows,
/// and one product per DSP slice).
/// </summary>
public sealed record PartitionResult(MixSpec Ratio, GemmDesign Design, GemmDesign Baseline, GemmDesign UnpackedBaseline)
{
    /// <summary>Throughput over the DSP-only fixed-point design with packed DSP slices.</summary>
    public double Speedup => Design.FramesPerSecond / Baseline.FramesPerSecond;

    /// <summary>Throughput over a DSP-only design with one product per DSP slice.</summary>
    public double SpeedupOverUnpacked => Design.FramesPerSecond / UnpackedBaseline.FramesPerSecond;
}
