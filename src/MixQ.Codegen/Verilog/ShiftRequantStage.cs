using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// HGQ's per-element requantization (<see cref="IntShiftRequantize"/>) on a vector or on a pixel stream. Element
/// (lane e, beat p) has the format at index e * beats + p of <c>formats</c> ([C, H, W] order on a stream, the
/// element itself on a vector). A lane whose pixels all share one format is constant hardware: a rounding adder, an
/// arithmetic shift, a wrap (keep the low bits) or a saturation (two comparisons) and wiring — no multiplier, one
/// registered step (initiation interval 1). When some lane's pixels differ (per-element HGQ activations in front of
/// a convolution), those lanes read their parameters from a table indexed by the stream position instead
/// (<see cref="PixelFormatTable"/>) and the stage takes two registered steps. The arithmetic is
/// <see cref="ShiftRequantizer"/>'s, which the simulation tests compare it with.
/// </summary>
internal sealed class ShiftRequantStage(string module, IReadOnlyList<string> layers, StagePorts input, StagePorts output, ElementFormats formats)
    : UnrolledStage(module, layers, input, output)
{
    private readonly PixelFormatTable? _table = PixelFormatTable.For(formats, input, output.Element);

    public override int Latency => _table is null ? 1 : 2;

    /// <summary>The per-lane formats (for the cost prediction of the generated design).</summary>
    internal ElementFormats Formats => formats;

    public override void Emit(VerilogText w)
    {
        EmitHeader(w, $"shift requantize {In.Lanes} lanes x {In.Beats} beats ({ElementFormats.Name(formats.Rounding)}, {ElementFormats.Name(formats.Overflow)}), per-element widths {formats.Widths.Min()}..{formats.Widths.Max()}");
        w.Indent();
        if (_table is null) EmitConstant(w);
        else EmitTabled(w, _table);
        w.Outdent();
        w.Line("endmodule");
    }

    /// <summary>Every lane has one format for all its pixels: one registered step of constant logic.</summary>
    private void EmitConstant(VerilogText w)
    {
        w.Line("reg v1;");
        w.Line("wire en = !v1 || out_ready;");
        w.Line("assign in_ready = en;");
        w.Line("assign out_valid = v1;");
        w.Line("always @(posedge clk) begin");
        w.Line("  if (rst) v1 <= 1'b0;");
        w.Line("  else if (en) v1 <= in_valid;");
        w.Line("end");
        int ob = Out.Element.Bits;
        for (int e = 0; e < In.Lanes; e++)
        {
            w.Line($"reg [{ob - 1}:0] out_{e};");
            w.Line($"assign out_data[{e * ob} +: {ob}] = out_{e};");
            ConstantLane(w, e, "en && in_valid", $"out_{e}");
        }
    }

    /// <summary>
    /// Some lanes change format from pixel to pixel. Step 1: the rounding shift (table lanes: shift and rounding
    /// constant from the table); step 2: overflow into the element's width and the left shift onto the common grid
    /// (table lanes: bounds, mask and alignment from the table, travelling with the data). The table is read one
    /// cycle ahead into a register, so no table decoding sits on the data path.
    /// </summary>
    private void EmitTabled(VerilogText w, PixelFormatTable table)
    {
        w.Line($"// per-pixel formats: lanes {string.Join(", ", table.Lanes.Select(l => l.Lane))} read shift, rounding constant, bounds and alignment from a {In.Beats}-entry table indexed by the pixel counter");
        w.Line("reg v1, v2;");
        w.Line("wire en = !v2 || out_ready;");
        w.Line("assign in_ready = en;");
        w.Line("assign out_valid = v2;");
        w.Line("wire take = en && in_valid;");
        w.Line("always @(posedge clk) begin");
        w.Line("  if (rst) begin v1 <= 1'b0; v2 <= 1'b0; end");
        w.Line("  else if (en) begin v1 <= in_valid; v2 <= v1; end");
        w.Line("end");
        table.EmitRom(w);
        int ob = Out.Element.Bits;
        for (int e = 0; e < In.Lanes; e++)
        {
            w.Line($"reg [{ob - 1}:0] out_{e};");
            w.Line($"assign out_data[{e * ob} +: {ob}] = out_{e};");
            var lane = table.Lanes.FirstOrDefault(l => l.Lane == e);
            if (lane is null)
            {
                w.Line($"reg [{ob - 1}:0] d_{e};");
                ConstantLane(w, e, "take", $"d_{e}");
                w.Line($"always @(posedge clk) if (en && v1) out_{e} <= d_{e};");
            }
            else table.EmitLane(w, lane, $"in_data[{e * In.Element.Bits} +: {In.Element.Bits}]", "take", "en && v1", $"out_{e}");
        }
    }

    /// <summary>Lane e with the format of its first pixel (the same for all its pixels) as constants, registered into <paramref name="target"/>.</summary>
    private void ConstantLane(VerilogText w, int e, string enable, string target)
    {
        int ib = In.Element.Bits, ob = Out.Element.Bits;
        int k = e * In.Beats;
        int width = formats.Widths[k];
        if (width == 0)
        {
            w.Line($"always @(posedge clk) if ({enable}) {target} <= {ob}'d0;");
            return;
        }
        int shift = formats.Shifts[k], align = formats.Aligns[k];
        if (shift > 60) throw new MixQException($"unrolled design: shift_requantize element {k} shifts right by {shift} bits (at most 60)");
        // A signed working width that holds the extended input, the rounding carry, a left shift and the format.
        int ww = Math.Max(In.Element.SignedBits + 1 + Math.Max(0, -shift), Math.Max(shift + 2, width + 2));
        string t = $"in_data[{e * ib} +: {ib}]";
        w.Line($"wire signed [{ww - 1}:0] x_{e} = {In.Element.ExtendTo(t, ww)};");
        string rounded = shift switch
        {
            <= 0 => $"x_{e} <<< {-shift}",
            _ => formats.Rounding switch
            {
                RoundingMode.Truncate => $"x_{e} >>> {shift}",
                RoundingMode.RoundHalfUp => $"(x_{e} + {VerilogText.Lit(1L << (shift - 1), ww)}) >>> {shift}",
                _ => $"(x_{e} + {VerilogText.Lit((1L << (shift - 1)) - 1, ww)} + $signed({{{ww - 1}'d0, x_{e}[{shift}]}})) >>> {shift}",
            },
        };
        w.Line($"wire signed [{ww - 1}:0] r_{e} = {rounded};");
        bool signed = formats.Signed[k];
        long max = ShiftRequantizer.MaxCode(width, signed), low = ShiftRequantizer.LowestCode(width, signed, formats.Overflow);
        // The code, as a signed value of ob bits, then shifted onto the common grid.
        string code = formats.Overflow == OverflowMode.Wrap
            ? new IntType(width, signed).ExtendTo($"r_{e}[{width - 1}:0]", Math.Max(ob, width + 1))
            : $"((r_{e} > {VerilogText.Lit(max, ww)}) ? {VerilogText.Lit(max, ww)} : (r_{e} < {VerilogText.Lit(low, ww)}) ? {VerilogText.Lit(low, ww)} : r_{e})";
        int cw = formats.Overflow == OverflowMode.Wrap ? Math.Max(ob, width + 1) : Math.Max(ww, ob);
        w.Line($"wire signed [{cw - 1}:0] q_{e} = {code};");
        w.Line($"always @(posedge clk) if ({enable}) {target} <= q_{e}[{ob - 1}:0] << {align};");
    }
}
