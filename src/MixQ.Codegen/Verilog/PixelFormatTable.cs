using System.Globalization;
using System.Numerics;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// The parameter table of a shift-requantize stage whose lanes change format from pixel to pixel (HGQ's
/// per-element activation formats on a pixel stream, where a lane is a channel). For every such lane and pixel it
/// holds what the arithmetic needs as constants, precomputed from the element's (shift, width, signed, align):
/// <list type="bullet">
/// <item>sh = shift + L, the right shift after a constant left shift by L = the lane's largest left shift (so a
/// negative shift is the exact left shift it stands for: the L low zero bits make the rounding below exact);</item>
/// <item>rc, the rounding constant 2^(sh-1) (half-up) or 2^(sh-1) - 1 (half-even, plus the lowest kept bit), 0 for
/// truncation or sh = 0;</item>
/// <item>saturation: the largest and lowest code; wrap: the mask of the element's width and its largest code (a
/// masked value above it is negative: subtract 2^width);</item>
/// <item>the alignment onto the common grid.</item>
/// </list>
/// A pruned element (width 0) has all fields 0, so it yields 0. Design choice: constants per pixel in a ROM rather
/// than the raw format decoded in logic — the table is a few hundred bits per lane, and decoding masks, bounds and
/// rounding constants from a width would put shifters in front of the data path. One word per pixel holds every
/// table lane's fields (step-2 fields in the low bits); the ROM is a case statement on the pixel position, read one
/// cycle ahead into a register.
/// </summary>
internal sealed class PixelFormatTable
{
    /// <summary>Per-pixel constants of one lane and the bit positions of its fields in the table word (set by the table).</summary>
    internal sealed record LaneFields(int Lane, int PreShift, int WorkBits, int ShiftBits, int RoundBits, int CodeBits, int AlignBits,
        long[] Shift, long[] Round, long[] Bound1, long[] Bound2, long[] Align)
    {
        public int ShiftAt { get; init; }
        public int RoundAt { get; init; }
        public int Bound1At { get; init; }
        public int Bound2At { get; init; }
        public int AlignAt { get; init; }
    }

    private readonly ElementFormats _formats;
    private readonly StagePorts _input;
    private readonly IntType _output;
    private readonly int _step2Bits, _wordBits;

    private PixelFormatTable(ElementFormats formats, StagePorts input, IntType output, IReadOnlyList<LaneFields> lanes)
    {
        _formats = formats;
        _input = input;
        _output = output;
        // Step-2 fields (bounds, alignment) first, from bit 0, then step-1 fields (shift, rounding constant).
        int at = 0;
        var placed = new List<LaneFields>();
        foreach (var l in lanes)
        {
            placed.Add(l with { Bound1At = at, Bound2At = at + l.CodeBits, AlignAt = at + 2 * l.CodeBits });
            at += 2 * l.CodeBits + l.AlignBits;
        }
        _step2Bits = at;
        for (int k = 0; k < placed.Count; k++)
        {
            placed[k] = placed[k] with { ShiftAt = at, RoundAt = at + placed[k].ShiftBits };
            at += placed[k].ShiftBits + placed[k].RoundBits;
        }
        _wordBits = at;
        Lanes = placed;
    }

    public IReadOnlyList<LaneFields> Lanes { get; }

    /// <summary>The table of the lanes whose pixels do not all share one format, or null when every lane is constant.</summary>
    public static PixelFormatTable? For(ElementFormats formats, StagePorts input, IntType output)
    {
        int lanes = input.Lanes, beats = input.Beats;
        if (formats.Count != lanes * beats)
            throw new MixQException($"unrolled design: shift_requantize has {formats.Count} formats for {lanes} lanes x {beats} beats");
        var table = new List<LaneFields>();
        for (int e = 0; e < lanes; e++)
            if (!Constant(formats, e * beats, beats)) table.Add(Fields(formats, input, e));
        return table.Count == 0 ? null : new PixelFormatTable(formats, input, output, table);
    }

    /// <summary>One format for all pixels of the lane (or all pruned: the constant 0).</summary>
    private static bool Constant(ElementFormats f, int start, int count)
    {
        if (Enumerable.Range(start, count).All(k => f.Widths[k] == 0)) return true;
        for (int k = start + 1; k < start + count; k++)
            if (f.Shifts[k] != f.Shifts[start] || f.Widths[k] != f.Widths[start] || f.Signed[k] != f.Signed[start] || f.Aligns[k] != f.Aligns[start])
                return false;
        return true;
    }

    private static LaneFields Fields(ElementFormats f, StagePorts input, int lane)
    {
        int beats = input.Beats, start = lane * beats;
        var live = Enumerable.Range(start, beats).Where(k => f.Widths[k] > 0).ToList();
        foreach (int k in live)
            if (f.Shifts[k] is > 60 or < -60)
                throw new MixQException($"unrolled design: shift_requantize element {k} shifts by {f.Shifts[k]} bits (at most 60 either way)");
        int pre = Math.Max(0, -live.Min(k => f.Shifts[k]));
        int maxShift = live.Max(k => f.Shifts[k]) + pre, maxWidth = live.Max(k => f.Widths[k]);
        int work = Math.Max(input.Element.SignedBits + 1 + pre, Math.Max(maxShift + 2, maxWidth + 2));
        var shift = new long[beats];
        var round = new long[beats];
        var bound1 = new long[beats];
        var bound2 = new long[beats];
        var align = new long[beats];
        foreach (int k in live)
        {
            int p = k - start, sh = f.Shifts[k] + pre, width = f.Widths[k];
            shift[p] = sh;
            round[p] = sh == 0 ? 0 : f.Rounding switch
            {
                RoundingMode.Truncate => 0,
                RoundingMode.RoundHalfUp => 1L << (sh - 1),
                _ => (1L << (sh - 1)) - 1,
            };
            long max = ShiftRequantizer.MaxCode(width, f.Signed[k]);
            (bound1[p], bound2[p]) = f.Overflow == OverflowMode.Wrap
                ? ((1L << width) - 1, max)
                : (max, ShiftRequantizer.LowestCode(width, f.Signed[k], f.Overflow));
            align[p] = f.Aligns[k];
        }
        return new LaneFields(lane, pre, work, IntType.UnsignedBits(maxShift), f.Rounding == RoundingMode.Truncate ? 0 : Math.Max(1, maxShift), maxWidth + 1,
            IntType.UnsignedBits(align.Max()), shift, round, bound1, bound2, align);
    }

    /// <summary>The pixel counter, the ROM and its registers: `prm` (the entry of the pixel at the input) and `prm2` (step-2 fields of the pixel in step 2).</summary>
    public void EmitRom(VerilogText w)
    {
        int beats = _input.Beats, pb = IntType.CounterBits(beats);
        w.Line($"reg [{pb - 1}:0] pix;");
        w.Line($"wire [{pb - 1}:0] nxt = (pix == {pb}'d{beats - 1}) ? {pb}'d0 : pix + {pb}'d1;");
        w.Line("always @(posedge clk) begin");
        w.Line($"  if (rst) pix <= {pb}'d0;");
        w.Line("  else if (take) pix <= nxt;");
        w.Line("end");
        w.Line($"wire [{pb - 1}:0] ra = rst ? {pb}'d0 : take ? nxt : pix;");
        w.Line($"reg [{_wordBits - 1}:0] rom;");
        w.Line("always @(*) begin");
        w.Indent();
        w.Line("case (ra)");
        w.Indent();
        // Pixels with the same entry share a case item (in order of their first pixel): same bytes every time.
        var words = Enumerable.Range(0, beats).Select(p => (Pixel: p, Word: Word(p))).ToList();
        foreach (var group in words.GroupBy(x => x.Word))
            w.Line($"{string.Join(", ", group.Select(x => $"{pb}'d{x.Pixel}"))}: rom = {Hex(group.Key, _wordBits)};");
        w.Line($"default: rom = {Hex(BigInteger.Zero, _wordBits)};");
        w.Outdent();
        w.Line("endcase");
        w.Outdent();
        w.Line("end");
        w.Line($"reg [{_wordBits - 1}:0] prm;");
        w.Line($"reg [{_step2Bits - 1}:0] prm2;");
        w.Line("always @(posedge clk) prm <= rom;");
        w.Line($"always @(posedge clk) if (take) prm2 <= prm[{_step2Bits - 1}:0];");
    }

    /// <summary>One table lane: step 1 registered on <paramref name="enable1"/>, step 2 into <paramref name="target"/> on <paramref name="enable2"/>.</summary>
    public void EmitLane(VerilogText w, LaneFields l, string inputBits, string enable1, string enable2, string target)
    {
        int e = l.Lane, ww = l.WorkBits, ob = _output.Bits, cb = l.CodeBits;
        w.Line($"wire signed [{ww - 1}:0] x_{e} = {_input.Element.ExtendTo(inputBits, ww)};");
        string t = l.PreShift == 0 ? $"x_{e}" : $"(x_{e} <<< {l.PreShift})";
        w.Line($"wire signed [{ww - 1}:0] t_{e} = {t};");
        w.Line($"wire [{l.ShiftBits - 1}:0] sh_{e} = prm[{l.ShiftAt} +: {l.ShiftBits}];");
        string sum = $"t_{e}";
        if (l.RoundBits > 0)
        {
            w.Line($"wire signed [{ww - 1}:0] rc_{e} = $signed({{{ww - l.RoundBits}'d0, prm[{l.RoundAt} +: {l.RoundBits}]}});");
            sum += $" + rc_{e}";
            // Half-even adds the lowest kept bit (none when nothing is shifted out).
            if (_formats.Rounding == RoundingMode.RoundHalfEven) sum += $" + $signed({{{ww - 1}'d0, (sh_{e} != {l.ShiftBits}'d0) & t_{e}[sh_{e}]}})";
        }
        w.Line($"reg signed [{ww - 1}:0] r_{e};");
        w.Line($"always @(posedge clk) if ({enable1}) r_{e} <= ({sum}) >>> sh_{e};");
        w.Line($"wire signed [{cb - 1}:0] b1_{e} = prm2[{l.Bound1At} +: {cb}];");
        w.Line($"wire signed [{cb - 1}:0] b2_{e} = prm2[{l.Bound2At} +: {cb}];");
        w.Line($"wire [{l.AlignBits - 1}:0] al_{e} = prm2[{l.AlignAt} +: {l.AlignBits}];");
        int qw = Math.Max(ww, ob);
        if (_formats.Overflow == OverflowMode.Wrap)
        {
            // b1 = mask of the width, b2 = largest code: a masked value above it is the negative code + 2^width.
            w.Line($"wire signed [{ww - 1}:0] m_{e} = r_{e} & b1_{e};");
            w.Line($"wire signed [{qw - 1}:0] q_{e} = (m_{e} > b2_{e}) ? m_{e} - b1_{e} - {VerilogText.Lit(1, ww)} : m_{e};");
        }
        else
            w.Line($"wire signed [{qw - 1}:0] q_{e} = (r_{e} > b1_{e}) ? b1_{e} : (r_{e} < b2_{e}) ? b2_{e} : r_{e};");
        w.Line($"always @(posedge clk) if ({enable2}) {target} <= q_{e}[{ob - 1}:0] << al_{e};");
    }

    /// <summary>The table word of pixel p: each lane's fields as two's-complement bit fields.</summary>
    private BigInteger Word(int p)
    {
        var word = BigInteger.Zero;
        void Put(long value, int at, int bits)
        {
            if (bits == 0) return;
            var mask = (BigInteger.One << bits) - 1;
            word |= ((new BigInteger(value)) & mask) << at;
        }
        foreach (var l in Lanes)
        {
            Put(l.Bound1[p], l.Bound1At, l.CodeBits);
            Put(l.Bound2[p], l.Bound2At, l.CodeBits);
            Put(l.Align[p], l.AlignAt, l.AlignBits);
            Put(l.Shift[p], l.ShiftAt, l.ShiftBits);
            Put(l.Round[p], l.RoundAt, l.RoundBits);
        }
        return word;
    }

    private static string Hex(BigInteger value, int bits)
    {
        string hex = value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return string.Create(CultureInfo.InvariantCulture, $"{bits}'h{(hex.Length == 0 ? "0" : hex)}");
    }
}
