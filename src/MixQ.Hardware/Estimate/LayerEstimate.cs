using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Estimate;

/// <summary>
/// One layer of a design estimate. For a GEMM engine the LUT, FF and DSP figures are the shared engine's and are
/// not split by layer (<see cref="Luts"/> etc. are 0), while <see cref="Bram36"/> holds the layer's weights; for an
/// unrolled design every figure is the layer's own, with its EBOPs and the EBOPs-based LUT estimate.
/// </summary>
public sealed record LayerEstimate(
    string Name,
    LayerKind Kind,
    long Macs,
    long LutCoreMacs,
    long DspCoreMacs,
    double Luts,
    double FlipFlops,
    double Dsps,
    double Bram36,
    long Cycles,
    double LatencySeconds,
    double Ebops);
