using MixQ.Codegen.Arithmetic;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// The arithmetic shared by the unrolled Dense and Conv2d stages: constant-weight dot products written as
/// shift-add sums over named input taps, then requantization. Three registered steps:
/// (1) acc = bias + Σ ±(tap &lt;&lt; s), terms grouped by shift (adder tree left to synthesis), (2) p = acc * m + offset (one constant multiplier per
/// row, mapped to DSP slices by synthesis; the offset carries the bias at the multiplier's precision), (3) round half away from zero, shift, clamp. Rows without
/// requantization (logits) pass the accumulator through steps 2 and 3.
/// </summary>
internal sealed class MacPipeline(IReadOnlyList<IntType> tapTypes, IReadOnlyList<List<ShiftAddTerm>> rows, long[] bias,
    int accBits, Requant[] requant, IntType outType)
{
    public const int Depth = 3;

    private const int TermsPerLine = 16;

    public int ProductBits => accBits + 32 + 1 + requant.Select(q => BitLength(Math.Abs(q.Offset)) - accBits - 31).Where(b => b > 0).DefaultIfEmpty(0).Max();

    private static int BitLength(long v) => 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)v);

    public int RoundBits(int row) => Math.Max(ProductBits, requant[row].Shift + 2);

    /// <summary>Valid flags, en, and the extended taps xa_i (taps must be declared by the caller as wires t_i).</summary>
    public void EmitDeclarations(VerilogText w)
    {
        w.Line("reg v1, v2, v3;");
        w.Line("wire en = !v3 || out_ready;");
        w.Line("assign out_valid = v3;");
    }

    public void EmitTapExtensions(VerilogText w)
    {
        for (int i = 0; i < tapTypes.Count; i++)
            if (rows.Any(r => r.Any(t => t.Input == i)))
                w.Line($"wire signed [{accBits - 1}:0] xa_{i} = {tapTypes[i].ExtendTo($"t_{i}", accBits)};");
    }

    /// <summary>The three pipeline steps; <paramref name="inputValid"/> is the stage-0 valid expression.</summary>
    public void EmitPipeline(VerilogText w, string inputValid)
    {
        int n = rows.Count;
        w.Line("always @(posedge clk) begin");
        w.Indent();
        w.Line("if (rst) begin");
        w.Line("  v1 <= 1'b0; v2 <= 1'b0; v3 <= 1'b0;");
        w.Line("end else if (en) begin");
        w.Line($"  v1 <= {inputValid}; v2 <= v1; v3 <= v2;");
        w.Line("end");
        w.Outdent();
        w.Line("end");
        for (int r = 0; r < n; r++)
        {
            w.Line($"reg signed [{accBits - 1}:0] acc_{r};");
            w.Line($"reg signed [{ProductBits - 1}:0] prod_{r};");
            w.Line($"reg [{outType.Bits - 1}:0] out_{r};");
        }
        // Step 1: shift-add sums, evaluated only for valid inputs (also keeps simulation fast).
        w.Line($"always @(posedge clk) if (en && ({inputValid})) begin");
        w.Indent();
        for (int r = 0; r < n; r++) EmitSum(w, r);
        w.Outdent();
        w.Line("end");
        // Step 2: constant multiplier of the requantization.
        w.Line("always @(posedge clk) if (en && v1) begin");
        w.Indent();
        for (int r = 0; r < n; r++)
            w.Line(requant[r].Identity
                ? $"prod_{r} <= acc_{r};"
                : requant[r].Offset == 0
                    ? $"prod_{r} <= acc_{r} * {VerilogText.Lit(requant[r].Multiplier, 32)};"
                    : $"prod_{r} <= acc_{r} * {VerilogText.Lit(requant[r].Multiplier, 32)} + {VerilogText.Lit(requant[r].Offset, ProductBits)};");
        w.Outdent();
        w.Line("end");
        // Step 3: round half away from zero, shift, clamp.
        for (int r = 0; r < n; r++)
        {
            var q = requant[r];
            int rw = RoundBits(r);
            if (q.Identity)
            {
                w.Line($"wire signed [{rw - 1}:0] rnd_{r} = prod_{r};");
                continue;
            }
            string ext = $"{{{{{rw - ProductBits}{{prod_{r}[{ProductBits - 1}]}}}}, prod_{r}}}";
            if (rw == ProductBits) ext = $"prod_{r}";
            w.Line($"wire signed [{rw - 1}:0] pe_{r} = {ext};");
            w.Line(q.Shift == 0
                ? $"wire signed [{rw - 1}:0] rnd_{r} = pe_{r};"
                : $"wire signed [{rw - 1}:0] rnd_{r} = (pe_{r} + {VerilogText.Lit(System.Numerics.BigInteger.Pow(2, q.Shift - 1), rw)} - (pe_{r}[{rw - 1}] ? {VerilogText.Lit(1, rw)} : {VerilogText.Lit(0, rw)})) >>> {q.Shift};");
        }
        w.Line("always @(posedge clk) if (en && v2) begin");
        w.Indent();
        for (int r = 0; r < n; r++)
        {
            var q = requant[r];
            int rw = RoundBits(r);
            string min = VerilogText.Lit(q.Min, rw), max = VerilogText.Lit(q.Max, rw);
            string maxOut = VerilogText.Lit(q.Max, Math.Max(outType.Bits, 64)), minOut = VerilogText.Lit(q.Min, Math.Max(outType.Bits, 64));
            // A bound beyond what rnd can hold never binds (the logits' full-range clamp): leave it out.
            bool useMax = !q.Identity && q.Max < (1L << Math.Min(62, rw - 1)) - 1, useMin = !q.Identity && q.Min > -(1L << Math.Min(62, rw - 1));
            string value = $"rnd_{r}[{outType.Bits - 1}:0]";
            if (useMin) value = $"(rnd_{r} < {min}) ? {minOut} : {value}";
            if (useMax) value = $"(rnd_{r} > {max}) ? {maxOut} : {value}";
            w.Line($"out_{r} <= {value};");
        }
        w.Outdent();
        w.Line("end");
        for (int r = 0; r < n; r++)
            w.Line($"assign out_data[{r * outType.Bits} +: {outType.Bits}] = out_{r};");
    }

    /// <summary>
    /// acc_r &lt;= bias + Σ_s ±((Σ ±xa_i) &lt;&lt;&lt; s): the row's terms grouped by shift, one shift per group instead of
    /// one per term. The same adders as one term after another (n terms, n add/subtract operations: a group of k
    /// terms costs k - 1 inside and one to join the sum; a group leads with a positive term, or is subtracted as a
    /// whole when all its terms are negative, so no negation is added), and the same value: every operand is
    /// acc-wide, so the sum is exact modulo 2^acc whatever the order. Why grouped: Verilator writes a shifted term
    /// as a shift node in the C++ it generates; per-term shifts made the unrolled MNIST testbenches take tens of
    /// minutes to compile (docs/codegen.md, "Limits").
    /// </summary>
    private void EmitSum(VerilogText w, int r)
    {
        w.Line($"acc_{r} <= {VerilogText.Lit(bias[r], accBits)}");
        w.Indent();
        foreach (var group in rows[r].GroupBy(t => t.Shift).OrderBy(g => g.Key))
        {
            // Positive terms first (each group in input order otherwise): deterministic and negation-free.
            var terms = group.OrderBy(t => t.Negative).ThenBy(t => t.Input).ToList();
            bool allNegative = terms[0].Negative;
            var operands = terms.Select((t, k) => (k == 0 ? "" : t.Negative != allNegative ? "- " : "+ ") + $"xa_{t.Input}").ToList();
            var lines = operands.Chunk(TermsPerLine).Select(c => string.Join(" ", c)).ToList();
            bool single = terms.Count == 1;
            string open = (allNegative ? "- " : "+ ") + (group.Key == 0 ? single ? "" : "(" : single ? "(" : "((");
            string close = group.Key == 0 ? single ? "" : ")" : single ? $" <<< {group.Key})" : $") <<< {group.Key})";
            if (lines.Count == 1)
            {
                w.Line(open + lines[0] + close);
                continue;
            }
            w.Line(open + lines[0]);
            w.Indent();
            foreach (string line in lines.Skip(1).SkipLast(1)) w.Line(line);
            w.Line(lines[^1] + close);
            w.Outdent();
        }
        w.Outdent();
        w.Line("  ;");
    }
}
