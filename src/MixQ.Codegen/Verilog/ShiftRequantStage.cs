using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// HGQ's per-element requantization (<see cref="IntShiftRequantize"/>) on a vector, or on a pixel stream whose
/// channels each have one format: every lane has its own constant shift, width, sign and alignment, so each lane is a rounding adder, an arithmetic shift, a wrap (keep the low
/// bits) or a saturation (two comparisons) and wiring — no multiplier. One registered step (initiation interval 1).
/// The arithmetic is <see cref="ShiftRequantizer"/>'s, which the simulation tests compare it with.
/// </summary>
internal sealed class ShiftRequantStage(string module, IReadOnlyList<string> layers, StagePorts input, StagePorts output, ElementFormats formats)
    : UnrolledStage(module, layers, input, output)
{
    public override int Latency => 1;

    /// <summary>The per-lane formats (for the cost prediction of the generated design).</summary>
    internal ElementFormats Formats => formats;

    public override void Emit(VerilogText w)
    {
        EmitHeader(w, $"shift requantize {In.Lanes} lanes x {In.Beats} beats ({ElementFormats.Name(formats.Rounding)}, {ElementFormats.Name(formats.Overflow)}), per-element widths {formats.Widths.Min()}..{formats.Widths.Max()}");
        w.Indent();
        w.Line("reg v1;");
        w.Line("wire en = !v1 || out_ready;");
        w.Line("assign in_ready = en;");
        w.Line("assign out_valid = v1;");
        w.Line("always @(posedge clk) begin");
        w.Line("  if (rst) v1 <= 1'b0;");
        w.Line("  else if (en) v1 <= in_valid;");
        w.Line("end");
        int ib = In.Element.Bits, ob = Out.Element.Bits;
        for (int e = 0; e < In.Lanes; e++)
        {
            w.Line($"reg [{ob - 1}:0] out_{e};");
            w.Line($"assign out_data[{e * ob} +: {ob}] = out_{e};");
            int width = formats.Widths[e];
            if (width == 0)
            {
                w.Line($"always @(posedge clk) if (en && in_valid) out_{e} <= {ob}'d0;");
                continue;
            }
            int shift = formats.Shifts[e], align = formats.Aligns[e];
            if (shift > 60) throw new MixQException($"unrolled design: shift_requantize element {e} shifts right by {shift} bits (at most 60)");
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
            bool signed = formats.Signed[e];
            long max = ShiftRequantizer.MaxCode(width, signed), low = ShiftRequantizer.LowestCode(width, signed, formats.Overflow);
            // The code, as a signed value of ob bits, then shifted onto the common grid.
            string code = formats.Overflow == OverflowMode.Wrap
                ? new IntType(width, signed).ExtendTo($"r_{e}[{width - 1}:0]", Math.Max(ob, width + 1))
                : $"((r_{e} > {VerilogText.Lit(max, ww)}) ? {VerilogText.Lit(max, ww)} : (r_{e} < {VerilogText.Lit(low, ww)}) ? {VerilogText.Lit(low, ww)} : r_{e})";
            int cw = formats.Overflow == OverflowMode.Wrap ? Math.Max(ob, width + 1) : Math.Max(ww, ob);
            w.Line($"wire signed [{cw - 1}:0] q_{e} = {code};");
            w.Line($"always @(posedge clk) if (en && in_valid) out_{e} <= q_{e}[{ob - 1}:0] << {align};");
        }
        w.Outdent();
        w.Line("endmodule");
    }
}
