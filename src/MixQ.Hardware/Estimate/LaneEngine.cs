using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;

namespace MixQ.Hardware.Estimate;

/// <summary>
/// The cost model's estimate of a GEMM engine built of one-product lanes (T = 1), the engine `mixq generate --arch
/// gemm` writes: every LUT lane a runtime two-term shift-add multiplier (two barrel shifters, an adder, a negate)
/// plus an accumulator and its weight register; every DSP lane one unpacked slice that multiplies and accumulates
/// (post-adder and P register) plus its weight register; one weight ROM per lane and two ping-pong activation
/// memories in block RAM. Unlike <see cref="Estimator.Gemm"/>, which sizes its own engine for a device, this prices
/// given lane counts and widths, so it can be compared with synthesis of that very design.
/// </summary>
public static class LaneEngine
{
    /// <summary>What the generator built.</summary>
    /// <param name="LutLanes">Lanes of the LUT core (PoT/SP2 rows).</param>
    /// <param name="DspLanes">Lanes of the DSP core (fixed-point rows).</param>
    /// <param name="LutProductBits">Datapath width of a LUT lane's shifters and adder.</param>
    /// <param name="ShiftSelectBits">Select bits of one of a LUT lane's two shifters.</param>
    /// <param name="ActivationBits">Activation code width in memory.</param>
    /// <param name="AccumulatorBits">Accumulator width of every lane.</param>
    /// <param name="LutWordBits">Weight word width of a LUT lane (its shift code).</param>
    /// <param name="DspWordBits">Weight word width of a DSP lane.</param>
    /// <param name="RomDepth">Words per lane ROM.</param>
    /// <param name="MemoryDepth">Words per activation memory.</param>
    public sealed record Spec(int LutLanes, int DspLanes, int LutProductBits, int ShiftSelectBits, int ActivationBits, int AccumulatorBits,
        int LutWordBits, int DspWordBits, int RomDepth, int MemoryDepth);

    /// <summary>Per-part estimate: the two cores (arithmetic only), their weight ROMs, the activation memories and the control.</summary>
    public sealed record Estimate(Resources LutCore, Resources DspCore, Resources WeightRoms, Resources ActivationMemories, Resources Control)
    {
        public Resources Total => LutCore + DspCore + WeightRoms + ActivationMemories + Control;
    }

    public static Estimate Price(CostModel cost, Spec spec)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.LutLanes < 0 || spec.DspLanes < 0 || spec.LutLanes + spec.DspLanes < 1)
            throw new MixQException($"lane engine: bad core sizes {spec.LutLanes} LUT lanes, {spec.DspLanes} DSP lanes");
        var lutLane = cost.ShiftAddMultiplier(spec.LutProductBits, 2 * spec.ShiftSelectBits)
                      + cost.Accumulator(spec.AccumulatorBits) + new Resources(0, spec.LutWordBits, 0, 0);
        // Unpacked: one product per slice; the accumulation stays in the slice (P register), so only the weight
        // register is fabric. Activation widths beyond the slice's port would need a second slice.
        double slices = spec.ActivationBits <= 25 && spec.DspWordBits <= 18 ? 1 : 2;
        var dspLane = new Resources(0, spec.DspWordBits, slices, 0);
        var roms = spec.LutLanes * Bram(spec.RomDepth, spec.LutWordBits) + spec.DspLanes * Bram(spec.RomDepth, spec.DspWordBits);
        var memories = 2 * Bram(spec.MemoryDepth, spec.ActivationBits);
        // Controller, address generation and the shared write-back requantizer: the cost model's per-core control
        // figure (a design choice, not calibrated; docs/cost-model.md).
        int cores = (spec.LutLanes > 0 ? 1 : 0) + (spec.DspLanes > 0 ? 1 : 0);
        var control = cores * new Resources(cost.CoreControlLuts, cost.CoreControlFlipFlops, 0, 0);
        return new Estimate(spec.LutLanes * lutLane, spec.DspLanes * dspLane, roms, memories, control);
    }

    /// <summary>
    /// Block RAM of one depth x width memory in 36 Kb blocks, counted in RAMB18 halves: a RAMB18 holds 16K x 1 down to
    /// 512 x 36 (widths 1, 2, 4, 9, 18, 36), so deep narrow memories take ceil(depth / depth-at-width) halves per
    /// width slice.
    /// </summary>
    public static Resources Bram(int depth, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        double best = double.MaxValue;
        foreach (var (w, d) in Ramb18Shapes)
        {
            double halves = Math.Ceiling((double)width / w) * Math.Ceiling((double)depth / d);
            best = Math.Min(best, halves);
        }
        return new Resources(0, 0, 0, best / 2);
    }

    private static readonly (int Width, int Depth)[] Ramb18Shapes = [(1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024), (36, 512)];
}
