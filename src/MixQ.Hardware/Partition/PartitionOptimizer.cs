using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Hardware.Estimate;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Partition;

/// <summary>
/// Finds the row ratio and core sizes that maximize throughput (methods.md §2-3): every split of the free shares on
/// a grid of <c>step</c> percent is tried; for each, the mix gives every layer its exact row counts
/// (<see cref="MixSpec.CountsFor"/>, as `mixq quantize` will), and <see cref="GemmArchitecture.Best"/> sizes the two
/// cores under the capped budgets. Ties go to the larger share of the first free entry (e.g. more SP2). The same mix
/// applies to every layer, first and last included.
/// </summary>
public sealed class PartitionOptimizer(CostModel cost)
{
    public CostModel Cost { get; } = cost;

    public PartitionResult Optimize(FpgaDevice device, IReadOnlyList<LayerShape> layers, IReadOnlyList<MixCandidate> mix,
        double cap = 0.8, int actBits = 4, decimal step = 1m, NumberFormat? baselineFormat = null)
    {
        if (layers.Count == 0) throw new MixQException("the model has no Linear or Conv2d layers to place");
        if (step <= 0 || step > 100) throw new MixQException($"ratio step must be in (0, 100], got {step}");
        var arch = new GemmArchitecture(device, Cost, actBits, cap);
        var free = mix.Where(c => c.PinnedPercent is null).ToArray();
        decimal left = 100m - mix.Sum(c => c.PinnedPercent ?? 0);
        (MixSpec Ratio, GemmDesign Design)? best = null;
        foreach (var shares in Splits(free.Length, left, step))
        {
            int f = 0;
            var entries = mix.Select(c => new MixEntry(c.Format.Format, c.PinnedPercent ?? shares[f++])).ToArray();
            var ratio = new MixSpec(entries);
            var design = arch.Best(Workloads(layers, ratio, mix.Select(c => c.Format).ToArray()));
            if (design is null) continue;
            if (best is null || design.Cycles < best.Value.Design.Cycles) best = (ratio, design);
        }
        if (best is null)
            throw new MixQException($"the model does not fit device {device.Name} at all: not even the smallest engine for mix {string.Join(",", mix.Select(m => m.Format))} fits within {cap:P0} of its LUTs and DSPs");
        var baseFormat = new CoreFormat(baselineFormat ?? NumberFormat.Fixed(4), MultiplierKind.FixedDsp);
        var baseline = DspOnly(device, layers, baseFormat, cap, actBits, Cost);
        var unpacked = DspOnly(device, layers, baseFormat, cap, actBits, new CostModel(Cost.Table) { PackDsp = false, TreeInputs = Cost.TreeInputs, MaxRowLength = Cost.MaxRowLength });
        return new PartitionResult(best.Value.Ratio, best.Value.Design, baseline, unpacked);
    }

    /// <summary>The engine for a fixed ratio (no search over shares): what `mixq estimate` sizes for a plan.</summary>
    public static IReadOnlyList<LayerWorkload> Workloads(IReadOnlyList<LayerShape> layers, MixSpec ratio, IReadOnlyList<CoreFormat> formats) =>
        layers.Select(l =>
        {
            var counts = ratio.CountsFor(l.Rows);
            return new LayerWorkload(l, formats.Select((fmt, i) => (fmt, counts[i])).ToArray());
        }).ToArray();

    private static GemmDesign DspOnly(FpgaDevice device, IReadOnlyList<LayerShape> layers, CoreFormat format, double cap, int actBits, CostModel cost)
    {
        var arch = new GemmArchitecture(device, cost, actBits, cap);
        return arch.Best(Workloads(layers, MixSpec.Single(format.Format), [format]))
               ?? throw new MixQException($"the model does not fit device {device.Name} at all: a DSP-only engine needs at least {cost.TreeInputs} DSP slices within {cap:P0}");
    }

    /// <summary>All ways to split <paramref name="total"/> percent among <paramref name="parts"/> entries in multiples of <paramref name="step"/>, first entry's share descending.</summary>
    private static IEnumerable<decimal[]> Splits(int parts, decimal total, decimal step)
    {
        if (parts == 0)
        {
            if (total == 0) yield return [];
            yield break;
        }
        if (parts == 1)
        {
            yield return [total];
            yield break;
        }
        for (decimal first = total; first >= 0; first -= step)
            foreach (var rest in Splits(parts - 1, total - first, step))
                yield return [first, .. rest];
    }
}
