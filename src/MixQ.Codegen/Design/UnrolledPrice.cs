using MixQ.Codegen.Arithmetic;
using MixQ.Codegen.Verilog;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;
using MixQ.Quantization.Hgq;

namespace MixQ.Codegen.Design;

/// <summary>
/// The cost model's price of an unrolled design as the generator built it, module by module: every registered
/// node of every row's <see cref="AdderTree"/> at its exact width, every row's requantization multiplier (DSP slices
/// from the constant's real width) and rounding/clamp tail, the line buffers of convolution and pooling stages (shift
/// registers yosys turns into SRL16 LUTs between the window taps), the max trees, the flatten shift registers and
/// HGQ's per-element shift requantization. Primitives are the calibrated ones of <see cref="CostModel"/>
/// (docs/cost-model.md); row-wise and HGQ models alike, since both arrive here as the same stages.
/// </summary>
public static class UnrolledPrice
{
    /// <summary>One module's resources.</summary>
    public static Resources Stage(UnrolledStage stage, CostModel cost, DspKind dsp) => stage switch
    {
        DenseStage d => Control(d.Mac.Depth) + Mac(d.Mac, cost, dsp),
        ConvStage c => Control(c.Mac.Depth) + Window(c.Window, c.In) + Mac(c.Mac, cost, dsp),
        MaxPoolStage p => Control(1) + Window(p.Window, p.In) + MaxTrees(p, cost),
        FlattenStage f => Flatten(f),
        ShiftRequantStage q => Control(1) + ShiftRequant(q, cost),
        _ => throw new MixQException($"no price for stage {stage.Module} ({stage.GetType().Name})"),
    };

    /// <summary>The valid flags of a stalling pipeline of <paramref name="depth"/> registers and its enable.</summary>
    private static Resources Control(int depth) => new(1, depth, 0, 0);

    /// <summary>The adder trees, the requantization multipliers and the round/shift/clamp registers of every row.</summary>
    internal static Resources Mac(MacPipeline mac, CostModel cost, DspKind dsp)
    {
        var total = Resources.Zero;
        var shared = new Dictionary<(AdderTree.Op, long, long, int, int), long>();
        for (int r = 0; r < mac.Trees.Count; r++)
        {
            var tree = mac.Trees[r];
            total += Tree(tree, cost, shared);
            int accBits = Math.Min(mac.AccBits, tree.Root.Width + tree.Root.Shift);
            total += Requantization(mac, r, accBits, cost, dsp);
        }
        return total;
    }

    /// <summary>Steps 2 and 3 of one row: the multiplier (when there is one) and the round/shift/clamp register.</summary>
    private static Resources Requantization(MacPipeline mac, int r, int accBits, CostModel cost, DspKind dsp)
    {
        var q = mac.Requants[r];
        int outBits = mac.OutType.Bits;
        if (q.Identity)
            return new Resources(0, 2 * Math.Min(accBits, outBits), 0, 0); // prod and out copy the accumulator's low bits
        if (q.Multiplier == 1 && q.Offset == 0 && q.Shift == 0)
            return new Resources(0, accBits, 0, 0) + cost.RequantTail(accBits, 0, outBits); // a clamp alone (HGQ's ReLU)
        int constantBits = IntType.BitLength(Math.Abs(q.Multiplier));
        if (q.Offset == 0 && System.Numerics.BitOperations.IsPow2(q.Multiplier))
        {
            // A power of two is a shift (no slice, no adder): prod holds the accumulator, the rounding starts
            // that many bits lower.
            int shift = Math.Max(0, q.Shift - (constantBits - 1));
            var register = new Resources(0, accBits, 0, 0);
            // Logits: no bound binds (MacPipeline leaves the clamp out), so without a shift this is wiring and a register.
            int rw = mac.RoundBits(r);
            bool clamps = q.Max < (1L << Math.Min(62, rw - 1)) - 1 || q.Min > -(1L << Math.Min(62, rw - 1));
            if (!clamps) return register + new Resources(shift > 0 ? cost.Adder(accBits + 1).Luts : 0, outBits, 0, 0);
            return register + cost.RequantTail(accBits + 1, shift, outBits);
        }
        return cost.RequantMultiplier(accBits, constantBits, dsp)
               + cost.RequantTail(Math.Min(mac.RoundBits(r), accBits + constantBits + 2), q.Shift, outBits);
    }

    /// <summary>One row's tree on its own (see the overload).</summary>
    internal static Resources Tree(AdderTree tree, CostModel cost) => Tree(tree, cost, []);

    /// <summary>
    /// One row's tree: a two-input adder per Add/Subtract node over the bits where its operands overlap (below a
    /// shifted operand the other one passes through), a register per node above the leaves (constant registers are
    /// removed by synthesis, so a delayed bias costs nothing). The root is the accumulator register. A node that
    /// computes the same thing as one already priced in <paramref name="shared"/> (same operation on the same
    /// operands, e.g. the same tap delayed in two rows, or two rows adding the same two taps) is free: yosys merges
    /// identical cells (opt_merge).
    /// </summary>
    internal static Resources Tree(AdderTree tree, CostModel cost, Dictionary<(AdderTree.Op, long, long, int, int), long> shared)
    {
        var nodes = tree.Nodes;
        var id = new long[nodes.Count];
        var constant = new bool[nodes.Count];
        var total = Resources.Zero;
        for (int i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            (AdderTree.Op, long, long, int, int) key = n.Op switch
            {
                AdderTree.Op.Tap => (n.Op, n.Value, 0, 0, 0),
                AdderTree.Op.Constant => (n.Op, n.Value, 0, 0, 0),
                AdderTree.Op.Delay => (n.Op, id[n.Left], 0, 0, 0),
                // Addition commutes: order the operands so that a + b and b + a are one cell.
                AdderTree.Op.Add when (id[n.Left], n.LeftShift).CompareTo((id[n.Right], n.RightShift)) > 0 => (n.Op, id[n.Right], id[n.Left], n.RightShift, n.LeftShift),
                _ => (n.Op, id[n.Left], id[n.Right], n.LeftShift, n.RightShift),
            };
            constant[i] = n.Op == AdderTree.Op.Constant || (n.Op == AdderTree.Op.Delay && constant[n.Left]);
            if (shared.TryGetValue(key, out long known))
            {
                id[i] = known;
                continue;
            }
            id[i] = shared.Count + 1;
            shared[key] = id[i];
            if (n.Op == AdderTree.Op.Delay && !constant[i]) total += new Resources(0, n.Width, 0, 0);
            else if (n.Op is AdderTree.Op.Add or AdderTree.Op.Subtract)
                total += cost.TreeAdder(n.Width - 1 - Math.Max(n.LeftShift, n.RightShift), n.Width);
        }
        if (tree.Root.Negated) total += cost.Adder(tree.Root.Width + tree.Root.Shift);
        return total;
    }

    /// <summary>
    /// The line buffer: (K-1) padded rows + K pixels of registers. Between two window rows lie PW - K entries nobody
    /// taps; yosys maps such a run (with the tapped entry it feeds) onto SRL16 shift-register LUTs, one per pixel bit
    /// and 16 entries. Plus the row/column counters and the window-valid flag.
    /// </summary>
    internal static Resources Window(WindowGenerator window, StagePorts input)
    {
        int k = window.Kernel, run = window.PaddedWidth - k;
        int registered = window.Entries, srl = 0;
        if (k > 1 && run >= 2)
        {
            registered -= (k - 1) * (run + 1);
            srl = (k - 1) * window.PixelBits * ((run + 1 + 15) / 16);
        }
        int counters = IntType.CounterBits(window.PaddedHeight) + IntType.CounterBits(window.PaddedWidth);
        // The counters' increment and wrap comparisons, the interior and stride-grid tests.
        double controlLuts = 2 * counters + 4;
        return new Resources(srl + controlLuts, registered * window.PixelBits + counters + 1, 0, 0);
    }

    /// <summary>Per channel a running maximum over the K x K window: a comparator and a multiplexer per tap after the first (about two LUTs per bit), and the output register.</summary>
    private static Resources MaxTrees(MaxPoolStage p, CostModel cost)
    {
        int bits = p.In.Element.Bits, taps = p.Kernel * p.Kernel;
        return new Resources(p.In.Channels * (taps - 1) * 2.0 * bits, p.In.Channels * bits, 0, 0);
    }

    /// <summary>One shift register per channel plane (flip-flops only: every entry is an output), a pixel counter.</summary>
    private static Resources Flatten(FlattenStage f)
    {
        int counter = IntType.CounterBits(f.In.Beats);
        return new Resources(2 * counter + 1, (long)f.In.Lanes * f.In.Beats * f.In.Element.Bits + counter + 1, 0, 0);
    }

    /// <summary>
    /// Per lane: the rounding adder and the saturation work on the bits of the input at and above the shift: one LUT
    /// per such bit with a rounding adder (with or without saturation), 0.8 for the saturation's comparisons alone;
    /// truncation with wrap-around is wiring. The two factors are fitted to the six stages of three small HGQ designs,
    /// one per rounding/overflow pair (UnrolledPredictionTests; docs/cost-model.md), not to calibration blocks. Registers: a wrapping lane keeps its code bits (the alignment zeros and sign copies are
    /// not registers); a saturating lane registers every output bit above its alignment, because synthesis cannot see
    /// that the clamped value fits the code. Width-0 lanes are constant zero.
    /// </summary>
    private static Resources ShiftRequant(ShiftRequantStage q, CostModel cost)
    {
        var f = q.Formats;
        int inBits = q.In.Element.SignedBits, outBits = q.Out.Element.Bits;
        bool saturates = f.Overflow != OverflowMode.Wrap;
        var total = Resources.Zero;
        Resources Lane(int e)
        {
            int width = f.Widths[e];
            if (width == 0) return Resources.Zero;
            int shift = f.Shifts[e];
            bool rounds = shift > 0 && f.Rounding != RoundingMode.Truncate;
            int significant = Math.Max(1, inBits - Math.Max(0, shift) + 1);
            var lane = rounds ? Resources.Lut(significant) : saturates ? Resources.Lut(0.8 * significant) : Resources.Zero; // two comparisons against constants, no adder
            return lane + new Resources(0, saturates ? Math.Max(width, outBits - f.Aligns[e]) : width, 0, 0);
        }
        if (q.In.Beats == 1)
        {
            for (int e = 0; e < f.Count; e++) total += Lane(e);
            return total;
        }
        // A pixel stream: one lane per channel. A lane whose pixels share a format is built once with that format's
        // constants; a lane with a per-pixel table (PixelFormatTable) has a variable shifter, a rounding adder and
        // two comparisons against table bounds, two registered steps, and its share of the table ROM.
        var table = PixelFormatTable.For(f, q.In, q.Out.Element);
        var tabled = table?.Lanes.ToDictionary(l => l.Lane) ?? [];
        int beats = q.In.Beats;
        foreach (int lane in Enumerable.Range(0, q.In.Lanes))
        {
            if (!tabled.TryGetValue(lane, out var t))
            {
                total += Lane(lane * beats);
                continue;
            }
            int wordBits = t.ShiftBits + t.RoundBits + 2 * t.CodeBits + t.AlignBits;
            double shifter = t.WorkBits * t.ShiftBits / 2.0;             // 2:1 mux levels, two per LUT6
            double arithmetic = t.WorkBits + 2 * t.CodeBits;             // rounding adder, two bound comparisons (carry chains)
            double rom = Math.Ceiling(beats / 64.0) * wordBits;          // LUT6 ROM, 64 entries per LUT and bit
            total += new Resources(shifter + arithmetic + rom, wordBits + t.WorkBits + 2 * t.CodeBits, 0, 0);
        }
        return total;
    }
}
