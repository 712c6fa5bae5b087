using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;

namespace MixQ.Hardware.Partition;

/// <summary>
/// Sizes and times the mixed-scheme GEMM engine of methods.md §2: rows in LUT formats (SP2, PoT, fixed on LUTs) run
/// on the LUT core, fixed-point rows on the DSP core, both at once on the same activations, so a layer takes the
/// longer of the two. Each core is built of groups of <see cref="CostModel.TreeInputs"/> multipliers that reduce one
/// row over that many inputs per cycle; a group takes any (row tile, output position) pair, so per layer
/// cycles = ceil(K / T) * ceil(row tiles * position tiles / groups). Packed DSPs widen the tile: two rows per
/// slice, or two rows times two positions (the 2x2 outer product of <see cref="DspPacking"/>).
/// </summary>
public sealed class GemmArchitecture(FpgaDevice device, CostModel cost, int actBits, double cap)
{
    public FpgaDevice Device { get; } = device;

    public CostModel Cost { get; } = cost;

    public int ActBits { get; } = actBits;

    /// <summary>Largest share of each device resource the design may use (0..1].</summary>
    public double Cap { get; } = cap > 0 && cap <= 1 ? cap : throw new MixQException($"utilization cap must be in (0, 1], got {cap}");

    private int T => Cost.TreeInputs;

    /// <summary>Resources and cycles of the engine with the given core sizes (no budget check).</summary>
    public GemmDesign Evaluate(IReadOnlyList<LayerWorkload> layers, int lutGroups, int dspGroups)
    {
        var lutLane = LutLaneFormat(layers);
        var lutCore = lutLane is null || lutGroups == 0 ? Resources.Zero
            : (lutGroups * T) * Cost.GemmLane(lutLane.Format, ActBits, lutLane.Kind, Device.DspKind);
        var dspCore = dspGroups == 0 ? Resources.Zero : (dspGroups * T) * DspSliceCost(layers);
        var control = (lutGroups > 0 ? CoreControl : Resources.Zero) + (dspGroups > 0 ? CoreControl : Resources.Zero);
        var cycles = layers.Select(l => LayerCycles(l, lutGroups, dspGroups)).ToArray();
        return new GemmDesign(Device, T, lutGroups, dspGroups, lutLane, lutCore, dspCore, control, cycles);
    }

    /// <summary>Whether <paramref name="design"/> stays within the capped LUT, FF and DSP budgets.</summary>
    public bool Fits(GemmDesign design) =>
        design.Total.Luts <= Cap * Device.Luts && design.Total.FlipFlops <= Cap * Device.FlipFlops && design.Total.Dsps <= Cap * Device.Dsps;

    /// <summary>
    /// The core sizes with the fewest cycles within the budgets (ties: the smaller design), or null when not even one
    /// group per needed core fits. Every DSP-group count is tried; the LUT core takes the LUTs left over, then both
    /// cores shrink as far as they can without losing cycles.
    /// </summary>
    public GemmDesign? Best(IReadOnlyList<LayerWorkload> layers)
    {
        bool needLut = layers.Any(l => l.Rows.Any(r => r.Rows > 0 && !r.Format.OnDsp));
        bool needDsp = layers.Any(l => l.Rows.Any(r => r.Rows > 0 && r.Format.OnDsp));
        int maxDsp = needDsp ? (int)Math.Floor(Cap * Device.Dsps / T) : 0;
        GemmDesign? best = null;
        for (int g = needDsp ? 1 : 0; g <= maxDsp; g++)
        {
            int lutGroups = needLut ? MaxLutGroups(layers, g) : 0;
            if (needLut && lutGroups < 1) continue;
            var design = Evaluate(layers, lutGroups, g);
            if (!Fits(design)) continue;
            if (best is null || design.Cycles < best.Cycles) best = design;
        }
        if (best is null) return null;
        // Shrink without losing throughput: the cycle count is non-increasing in each core's size.
        long target = best.Cycles;
        int lut = best.LutGroups, dsp = best.DspGroups;
        if (needLut) lut = SmallestKeeping(lut, n => Evaluate(layers, n, dsp).Cycles <= target);
        if (needDsp) dsp = SmallestKeeping(dsp, n => Evaluate(layers, lut, n).Cycles <= target);
        return Evaluate(layers, lut, dsp);
    }

    /// <summary>The largest LUT core that fits beside a DSP core of <paramref name="dspGroups"/> groups.</summary>
    public int MaxLutGroups(IReadOnlyList<LayerWorkload> layers, int dspGroups)
    {
        var lane = LutLaneFormat(layers);
        if (lane is null) return 0;
        var fixedPart = Evaluate(layers, 0, dspGroups).Total + CoreControl;
        var group = T * Cost.GemmLane(lane.Format, ActBits, lane.Kind, Device.DspKind);
        double byLut = (Cap * Device.Luts - fixedPart.Luts) / Math.Max(group.Luts, 1e-9);
        double byFf = (Cap * Device.FlipFlops - fixedPart.FlipFlops) / Math.Max(group.FlipFlops, 1e-9);
        return (int)Math.Max(0, Math.Floor(Math.Min(byLut, byFf)));
    }

    private Resources CoreControl => new(Cost.CoreControlLuts, Cost.CoreControlFlipFlops, 0, 0);

    /// <summary>The lane every LUT-core multiplier is built as: the most expensive LUT format any layer uses.</summary>
    private CoreFormat? LutLaneFormat(IReadOnlyList<LayerWorkload> layers) => layers
        .SelectMany(l => l.Rows).Where(r => r.Rows > 0 && !r.Format.OnDsp).Select(r => r.Format).Distinct()
        .OrderByDescending(f => Cost.GemmLane(f.Format, ActBits, f.Kind, Device.DspKind).Luts).FirstOrDefault();

    /// <summary>Cost of one DSP slice with its LUT glue, for the widest glue among the DSP formats in use (the core is time-shared).</summary>
    private Resources DspSliceCost(IReadOnlyList<LayerWorkload> layers)
    {
        var formats = layers.SelectMany(l => l.Rows).Where(r => r.Rows > 0 && r.Format.OnDsp).Select(r => r.Format).Distinct().ToArray();
        if (formats.Length == 0) return new Resources(0, 0, 1, 0);
        var glue = formats.Select(f => Cost.ProductsPerDsp(f.Format.Bits, ActBits, Device.DspKind) * Cost.GemmLane(f.Format, ActBits, f.Kind, Device.DspKind))
            .Aggregate((a, b) => new Resources(Math.Max(a.Luts, b.Luts), Math.Max(a.FlipFlops, b.FlipFlops), 0, 0));
        return new Resources(glue.Luts, glue.FlipFlops, 1, 0);
    }

    private long LayerCycles(LayerWorkload layer, int lutGroups, int dspGroups)
    {
        long kTiles = Ceil(layer.Shape.RowLength, T);
        long positions = layer.Shape.Positions;
        long lutRows = layer.Rows.Where(r => !r.Format.OnDsp).Sum(r => (long)r.Rows);
        long lutCycles = 0;
        if (lutRows > 0)
        {
            if (lutGroups == 0) return long.MaxValue / 1024;
            lutCycles = kTiles * Ceil(lutRows * positions, lutGroups);
        }
        long dspCycles = 0;
        foreach (var (format, rows) in layer.Rows.Where(r => r.Format.OnDsp && r.Rows > 0))
        {
            if (dspGroups == 0) return long.MaxValue / 1024;
            int lanes = Cost.ProductsPerDsp(format.Format.Bits, ActBits, Device.DspKind);
            int rowsPerSlice = lanes >= 2 ? 2 : 1;
            int positionsPerSlice = lanes == 4 ? 2 : 1;
            dspCycles += kTiles * Ceil(Ceil(rows, rowsPerSlice) * Ceil(positions, positionsPerSlice), dspGroups);
        }
        return Math.Max(lutCycles, dspCycles);
    }

    private static int SmallestKeeping(int current, Func<int, bool> ok)
    {
        int lo = 1, hi = current;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (ok(mid)) hi = mid;
            else lo = mid + 1;
        }
        return hi;
    }

    private static long Ceil(long a, long b) => (a + b - 1) / b;
}
