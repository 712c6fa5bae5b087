namespace MixQ.Codegen.Gemm;

/// <summary>
/// Core sizes of the GEMM engine: lanes of the LUT core (PoT/SP2 rows, runtime shift-add) and of the DSP core
/// (fixed-point rows, one multiplier each). Each lane computes one row, one product per cycle.
/// </summary>
public sealed record GemmOptions(int LutLanes, int DspLanes)
{
    /// <summary>Default total lanes when the cores are sized from the model's partition ratio.</summary>
    public const int DefaultTotalLanes = 16;

    /// <summary>
    /// Splits <paramref name="totalLanes"/> lanes by the share of multiply-accumulates on PoT/SP2 rows — the
    /// partition ratio at which both cores finish a layer together (methods.md §2) — keeping at least one lane in each
    /// core that has rows to run.
    /// </summary>
    public static GemmOptions FromShare(double lutShare, int totalLanes = DefaultTotalLanes)
    {
        if (totalLanes < 1) throw new MixQException($"the GEMM engine needs at least one lane, got {totalLanes}");
        int lut = (int)Math.Round(lutShare * totalLanes, MidpointRounding.AwayFromZero);
        if (lutShare > 0 && lut == 0) lut = 1;
        if (lutShare < 1 && lut == totalLanes) lut = totalLanes - 1;
        if (totalLanes == 1) lut = lutShare >= 0.5 ? 1 : 0;
        return new GemmOptions(lut, totalLanes - lut);
    }
}
