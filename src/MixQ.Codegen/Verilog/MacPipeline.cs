using MixQ.Codegen.Arithmetic;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// The arithmetic shared by the unrolled Dense and Conv2d stages: constant-weight dot products over named input
/// taps, then requantization. Registered steps: (1) acc = bias + Σ ±(tap &lt;&lt; s) as one pipelined
/// <see cref="AdderTree"/> per row (all rows padded to the same number of levels), (2) p = acc * m + offset (one
/// constant multiplier per row, mapped to DSP slices by synthesis; the offset carries the bias at the multiplier's
/// precision), (3) round half away from zero, shift, clamp. Rows without requantization (logits) pass the
/// accumulator through steps 2 and 3.
/// </summary>
internal sealed class MacPipeline(IReadOnlyList<IntType> tapTypes, IReadOnlyList<List<ShiftAddTerm>> rows, long[] bias,
    int accBits, Requant[] requant, IntType outType)
{
    private readonly AdderTree[] _trees = BuildTrees(tapTypes, rows, bias);

    /// <summary>Registered levels of the adder trees (step 1).</summary>
    public int TreeLevels => _trees.Length == 0 ? 1 : _trees[0].Levels;

    /// <summary>Registers from the taps to the output: the tree levels, the multiplier, the clamp.</summary>
    public int Depth => TreeLevels + 2;

    /// <summary>The adder tree of each row (for the cost prediction of the generated design).</summary>
    public IReadOnlyList<AdderTree> Trees => _trees;

    private static AdderTree[] BuildTrees(IReadOnlyList<IntType> tapTypes, IReadOnlyList<List<ShiftAddTerm>> rows, long[] bias)
    {
        var ranges = tapTypes.Select(t => t.Signed ? (-(1L << (t.Bits - 1)), (1L << (t.Bits - 1)) - 1) : (0L, (1L << t.Bits) - 1)).ToArray();
        int levels = rows.Select((r, i) => AdderTree.LevelsFor(AdderTree.LeafCount(r, bias[i]))).DefaultIfEmpty(1).Max();
        return rows.Select((r, i) => AdderTree.Build(r, bias[i], ranges, levels)).ToArray();
    }

    /// <summary>Accumulator width, the requantization of each row and the output type (for the cost prediction).</summary>
    public int AccBits => accBits;

    public IReadOnlyList<Requant> Requants => requant;

    public IntType OutType => outType;

    public IReadOnlyList<IntType> TapTypes => tapTypes;

    public int ProductBits => accBits + 32 + 1 + requant.Select(q => IntType.BitLength(Math.Abs(q.Offset)) - accBits - 31).Where(b => b > 0).DefaultIfEmpty(0).Max();

    public int RoundBits(int row) => Math.Max(ProductBits, requant[row].Shift + 2);

    /// <summary>Valid flags (v1 .. v{Depth}), en, and out_valid.</summary>
    public void EmitDeclarations(VerilogText w)
    {
        w.Line($"reg {string.Join(", ", Enumerable.Range(1, Depth).Select(k => $"v{k}"))};");
        w.Line($"wire en = !v{Depth} || out_ready;");
        w.Line($"assign out_valid = v{Depth};");
    }

    /// <summary>Each used tap as a signed value xs_i (taps must be declared by the caller as wires t_i).</summary>
    public void EmitTapExtensions(VerilogText w)
    {
        var used = new bool[tapTypes.Count];
        foreach (var row in rows)
            foreach (var t in row) used[t.Input] = true;
        for (int i = 0; i < tapTypes.Count; i++)
            if (used[i])
                w.Line($"wire signed [{tapTypes[i].SignedBits - 1}:0] xs_{i} = {tapTypes[i].ExtendTo($"t_{i}", tapTypes[i].SignedBits)};");
    }

    /// <summary>The pipeline steps; <paramref name="inputValid"/> is the stage-0 valid expression.</summary>
    public void EmitPipeline(VerilogText w, string inputValid)
    {
        int n = rows.Count, levels = TreeLevels;
        string Valid(int k) => k == 0 ? inputValid : $"v{k}";
        w.Line("always @(posedge clk) begin");
        w.Indent();
        w.Line("if (rst) begin");
        w.Line($"  {string.Join(" ", Enumerable.Range(1, Depth).Select(k => $"v{k} <= 1'b0;"))}");
        w.Line("end else if (en) begin");
        w.Line($"  {string.Join(" ", Enumerable.Range(1, Depth).Select(k => $"v{k} <= {Valid(k - 1)};"))}");
        w.Line("end");
        w.Outdent();
        w.Line("end");
        for (int r = 0; r < n; r++)
        {
            var nodes = _trees[r].Nodes;
            for (int i = 0; i < nodes.Count - 1; i++)
                if (nodes[i].Level > 0) w.Line($"reg signed [{nodes[i].Width - 1}:0] a{r}_{i};");
            w.Line($"reg signed [{accBits - 1}:0] acc_{r};");
            w.Line($"reg signed [{ProductBits - 1}:0] prod_{r};");
            w.Line($"reg [{outType.Bits - 1}:0] out_{r};");
        }
        // Step 1: the adder trees, one registered level after another; a level computes only for valid data (which
        // also keeps simulation fast).
        for (int level = 1; level <= levels; level++)
        {
            w.Line($"always @(posedge clk) if (en && {Valid(level - 1)}) begin");
            w.Indent();
            for (int r = 0; r < n; r++) EmitLevel(w, r, level);
            w.Outdent();
            w.Line("end");
        }
        // Step 2: constant multiplier of the requantization.
        w.Line($"always @(posedge clk) if (en && v{levels}) begin");
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
        w.Line($"always @(posedge clk) if (en && v{levels + 1}) begin");
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

    /// <summary>Row <paramref name="r"/>'s nodes of one level; the root (the last level) goes into acc_r, shifted and signed.</summary>
    private void EmitLevel(VerilogText w, int r, int level)
    {
        var nodes = _trees[r].Nodes;
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node.Level != level) continue;
            string body = node.Op switch
            {
                AdderTree.Op.Add => $"{Operand(r, node.Left, node.LeftShift)} + {Operand(r, node.Right, node.RightShift)}",
                AdderTree.Op.Subtract => $"{Operand(r, node.Left, node.LeftShift)} - {Operand(r, node.Right, node.RightShift)}",
                AdderTree.Op.Delay => Operand(r, node.Left, node.LeftShift),
                _ => throw new InvalidOperationException($"a {node.Op} node above the leaves"),
            };
            if (i < nodes.Count - 1)
            {
                w.Line($"a{r}_{i} <= {body};");
                continue;
            }
            // Every operand is extended to the accumulator's width before the operation (Verilog's context width).
            string value = node.Shift == 0 ? body : $"({body}) <<< {node.Shift}";
            w.Line($"acc_{r} <= {(node.Negated ? $"-({value})" : value)};");
        }
    }

    private string Operand(int r, int index, int shift)
    {
        var node = _trees[r].Nodes[index];
        string name = node.Op switch
        {
            AdderTree.Op.Tap => $"xs_{node.Value}",
            AdderTree.Op.Constant => VerilogText.Lit(node.Value, node.Width),
            _ => $"a{r}_{index}",
        };
        return shift == 0 ? name : $"({name} <<< {shift})";
    }
}
