using System.Globalization;
using System.Text;
using MixQ.Hardware.Cost;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Hardware.Synthesis;

/// <summary>
/// Writes the Verilog of the calibration blocks (each a module "top", combinational unless it is an accumulator)
/// and lists the grid of blocks the cost model is calibrated on. Activations are unsigned (they follow ReLU);
/// weights are signed. The same code generates the blocks for `mixq calibrate` and the tool-in-the-loop test.
/// </summary>
public static class CalibrationBlocks
{
    /// <summary>The calibration grid (docs/cost-model.md lists it with the measured figures).</summary>
    public static IReadOnlyList<CalibrationBlock> All()
    {
        var blocks = new List<CalibrationBlock>();
        int[] acts = [4, 8];
        foreach (int a in acts)
        {
            for (int m = 2; m <= 8; m++) blocks.Add(FixedLut(m, a));
            foreach (int m in new[] { 4, 8 }) blocks.Add(FixedDsp(m, a));
            foreach (int m in new[] { 3, 4, 5 }) blocks.Add(PotRuntime(m, a));
            for (int m = 3; m <= 8; m++) blocks.Add(Sp2Runtime(m, a));
            foreach (int m in new[] { 3, 4, 5, 6, 8 }) blocks.Add(Constants(NumberFormat.Fixed(m), a));
            foreach (int m in new[] { 4, 6, 8 }) blocks.Add(Constants(NumberFormat.Sp2(m), a));
            blocks.Add(Constants(NumberFormat.PowerOfTwo(4), a));
        }
        foreach (int n in new[] { 4, 8, 12, 16, 24, 32 }) blocks.Add(Adder(n));
        foreach (int k in new[] { 4, 8, 16, 32 })
            foreach (int n in new[] { 8, 12, 16 })
            {
                blocks.Add(AdderTree(k, n));
                blocks.Add(AdderTree(k, n, pipelined: true));
            }
        foreach (int n in new[] { 12, 16, 20, 24, 32 }) blocks.Add(Accumulator(n));
        blocks.Add(PackedDsp(2, 8, 8));
        blocks.Add(PackedDsp(2, 8, 4));
        blocks.Add(PackedDsp(4, 4, 4));
        foreach (int a in new[] { 8, 12, 16, 20, 24, 28 }) blocks.Add(RequantMultiplier(a, 31));
        blocks.Add(RequantMultiplier(10, 16));
        blocks.Add(RequantMultiplier(16, 24));
        foreach (var (w, s, o) in new[] { (35, 25, 3), (43, 30, 8), (50, 40, 6), (58, 49, 4), (45, 38, 10), (12, 0, 8), (20, 0, 6), (30, 0, 10) })
            blocks.Add(RequantTail(w, s, o));
        return blocks;
    }

    public static CalibrationBlock FixedLut(int m, int a) => new($"fixed_lut_w{m}_a{a}", BlockKind.FixedLutMultiplier, "fixed", m, a, 0, 1, false,
        Module($"input signed [{m - 1}:0] w, input [{a - 1}:0] x, output signed [{m + a - 1}:0] p",
            "  assign p = w * $signed({1'b0, x});"));

    public static CalibrationBlock FixedDsp(int m, int a) => FixedLut(m, a) with
    {
        Name = $"fixed_dsp_w{m}_a{a}", Kind = BlockKind.FixedDspMultiplier, UseDsp = true,
    };

    /// <summary>PoT code: sign bit, then an (m-1)-bit exponent field e (0 = zero weight, e >= 1: magnitude 2^-(e-1)).</summary>
    public static CalibrationBlock PotRuntime(int m, int a)
    {
        int j = IntegerLevels.MaxShift(NumberFormat.PowerOfTwo(m));
        int w = a + j;
        var body = new StringBuilder();
        body.AppendLine($"  wire [{m - 2}:0] e = c[{m - 2}:0];");
        body.AppendLine($"  wire [{w - 1}:0] xe = x;");
        body.AppendLine($"  wire [{w - 1}:0] mag = (e == 0) ? {w}'d0 : (xe << ({j + 1} - e));");
        body.AppendLine($"  wire signed [{w}:0] sm = {{1'b0, mag}};");
        body.Append($"  assign p = c[{m - 1}] ? -sm : sm;");
        return new($"pot_rt_w{m}_a{a}", BlockKind.PotRuntimeMultiplier, "pot", m, a, 0, 1, false,
            Module($"input [{m - 1}:0] c, input [{a - 1}:0] x, output signed [{w}:0] p", body.ToString()));
    }

    /// <summary>SP2 code: sign bit, m1-bit field e1, m2-bit field e2 (0 = that term is zero, else 2^-e).</summary>
    public static CalibrationBlock Sp2Runtime(int m, int a)
    {
        var split = NumberFormat.Sp2(m).Sp2Split;
        int m1 = split.FirstBits, m2 = split.SecondBits, j = split.FirstMaxExponent;
        int w = a + j + 1;
        var body = new StringBuilder();
        body.AppendLine($"  wire [{w - 1}:0] xe = x;");
        body.AppendLine($"  wire [{m1 - 1}:0] e1 = c[{m1 + m2 - 1}:{m2}];");
        body.AppendLine($"  wire [{w - 1}:0] t1 = (e1 == 0) ? {w}'d0 : (xe << ({j} - e1));");
        if (m2 > 0)
        {
            body.AppendLine($"  wire [{m2 - 1}:0] e2 = c[{m2 - 1}:0];");
            body.AppendLine($"  wire [{w - 1}:0] t2 = (e2 == 0) ? {w}'d0 : (xe << ({j} - e2));");
        }
        else
        {
            body.AppendLine($"  wire [{w - 1}:0] t2 = {w}'d0;");
        }
        body.AppendLine($"  wire [{w - 1}:0] mag = t1 + t2;");
        body.AppendLine($"  wire signed [{w}:0] sm = {{1'b0, mag}};");
        body.Append($"  assign p = c[{m - 1}] ? -sm : sm;");
        return new($"sp2_rt_w{m}_a{a}", BlockKind.Sp2RuntimeMultiplier, "sp2", m, a, 0, 1, false,
            Module($"input [{m - 1}:0] c, input [{a - 1}:0] x, output signed [{w}:0] p", body.ToString()));
    }

    /// <summary>
    /// One CSD shift-add multiplier per non-zero magnitude of <paramref name="format"/>, each with its own input so
    /// that yosys cannot share adders between them (a fully unrolled layer multiplies different activations).
    /// </summary>
    public static CalibrationBlock Constants(NumberFormat format, int a)
    {
        var magnitudes = IntegerLevels.Magnitudes(format);
        var ports = new List<string>();
        var body = new StringBuilder();
        for (int i = 0; i < magnitudes.Length; i++)
        {
            int w = ConstantProductBits(magnitudes[i], a);
            ports.Add($"input [{a - 1}:0] x{i}");
            ports.Add($"output [{w - 1}:0] p{i}");
            body.AppendLine($"  wire [{w - 1}:0] xe{i} = x{i};");
            body.AppendLine($"  assign p{i} = {ShiftAdd($"xe{i}", magnitudes[i])};");
        }
        string scheme = format.Scheme switch { QuantScheme.Fixed => "fixed", QuantScheme.SP2 => "sp2", _ => "pot" };
        return new($"const_{scheme}{format.Bits}_a{a}", BlockKind.ConstantMultipliers, scheme, format.Bits, a, 0, magnitudes.Length, false,
            Module(string.Join(", ", ports), body.ToString().TrimEnd()));
    }

    /// <summary>Width of x * c for an unsigned a-bit x and a constant c &gt; 0: a + bits(c).</summary>
    public static int ConstantProductBits(long c, int a) => a + (64 - (int)ulong.LeadingZeroCount((ulong)c));

    /// <summary>The CSD shift-add expression of <paramref name="signal"/> * <paramref name="constant"/> (wrap-around arithmetic at the signal's width).</summary>
    public static string ShiftAdd(string signal, long constant)
    {
        var digits = Csd.Digits(constant);
        if (digits.Count == 0) return "0";
        // Largest term first, so the expression starts positive (the top CSD digit of a positive constant is +1).
        var terms = digits.OrderByDescending(d => d.Shift).ToArray();
        var sb = new StringBuilder(Term(signal, terms[0].Shift));
        foreach (var d in terms.Skip(1)) sb.Append(d.Negative ? " - " : " + ").Append(Term(signal, d.Shift));
        return sb.ToString();
    }

    private static string Term(string signal, int shift) => shift == 0 ? signal : $"({signal} << {shift.ToString(CultureInfo.InvariantCulture)})";

    public static CalibrationBlock Adder(int n) => new($"add_n{n}", BlockKind.Adder, "", 0, 0, n, 1, false,
        Module($"input signed [{n - 1}:0] a, input signed [{n - 1}:0] b, output signed [{n}:0] s", "  assign s = a + b;"));

    /// <summary>
    /// A balanced binary tree; each level's sums are one bit wider than its inputs. Pipelined: every level's sums are
    /// registered (so yosys keeps each adder separate instead of merging the tree into one multi-operand add).
    /// </summary>
    public static CalibrationBlock AdderTree(int k, int n, bool pipelined = false)
    {
        var body = new StringBuilder();
        var ports = new List<string>();
        if (pipelined) ports.Add("input clk");
        var level = new List<(string Name, int Width)>();
        for (int i = 0; i < k; i++)
        {
            ports.Add($"input signed [{n - 1}:0] x{i}");
            level.Add(($"x{i}", n));
        }
        int depth = 0;
        while (level.Count > 1)
        {
            depth++;
            var next = new List<(string, int)>();
            for (int i = 0; i < level.Count; i += 2)
            {
                if (i + 1 == level.Count)
                {
                    next.Add(level[i]);
                    continue;
                }
                int w = Math.Max(level[i].Width, level[i + 1].Width) + 1;
                string name = $"t{depth}_{i / 2}";
                if (pipelined)
                {
                    body.AppendLine($"  reg signed [{w - 1}:0] {name};");
                    body.AppendLine($"  always @(posedge clk) {name} <= {level[i].Name} + {level[i + 1].Name};");
                }
                else
                {
                    body.AppendLine($"  wire signed [{w - 1}:0] {name} = {level[i].Name} + {level[i + 1].Name};");
                }
                next.Add((name, w));
            }
            level = next;
        }
        int outWidth = level[0].Width;
        ports.Add($"output signed [{outWidth - 1}:0] s");
        body.Append($"  assign s = {level[0].Name};");
        return new(pipelined ? $"ptree_k{k}_n{n}" : $"tree_k{k}_n{n}", pipelined ? BlockKind.PipelinedAdderTree : BlockKind.AdderTree, "", 0, 0, n, k, false,
            Module(string.Join(", ", ports), body.ToString()));
    }

    public static CalibrationBlock Accumulator(int n) => new($"acc_n{n}", BlockKind.Accumulator, "", 0, 0, n, 1, false,
        Module($"input clk, input clr, input signed [{n - 1}:0] d, output reg signed [{n - 1}:0] acc",
            "  always @(posedge clk) acc <= clr ? 0 : acc + d;"));

    /// <summary>
    /// A DSP multiply with <paramref name="lanes"/> packed products (layout of <see cref="DspPacking"/>): the packed
    /// weight word comes from memory pre-packed, so only the per-lane sign corrections are logic.
    /// </summary>
    public static CalibrationBlock PackedDsp(int lanes, int m, int a)
    {
        int s = DspPacking.LaneBits(m, a);
        var body = new StringBuilder();
        string ports;
        int productBits;
        if (lanes == 2)
        {
            productBits = 2 * s + 1;
            ports = $"input signed [{s + m - 1}:0] wp, input [{a - 1}:0] x, " + string.Join(", ", Enumerable.Range(0, 2).Select(i => $"output signed [{s - 1}:0] p{i}"));
            body.AppendLine($"  wire signed [{productBits - 1}:0] pp = wp * $signed({{1'b0, x}});");
        }
        else if (lanes == 4)
        {
            productBits = 4 * s + 1;
            ports = $"input [{a - 1}:0] x1, input [{a - 1}:0] x2, input signed [{s + m - 1}:0] wp, " +
                    string.Join(", ", Enumerable.Range(0, 4).Select(i => $"output signed [{s - 1}:0] p{i}"));
            body.AppendLine($"  wire signed [{2 * s + a}:0] xp = {{1'b0, x2, {2 * s - a}'d0, x1}};");
            body.AppendLine($"  wire signed [{productBits - 1}:0] pp = xp * wp;");
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(lanes), "2 or 4 lanes");
        }
        body.AppendLine($"  assign p0 = pp[{s - 1}:0];");
        for (int i = 1; i < lanes; i++) body.AppendLine($"  assign p{i} = pp[{(i + 1) * s - 1}:{i * s}] + pp[{i * s - 1}];");
        return new($"dsp_pack{lanes}_w{m}_a{a}", BlockKind.PackedDsp, "fixed", m, a, 0, lanes, true, Module(ports, body.ToString().TrimEnd()));
    }

    /// <summary>
    /// prod &lt;= acc * m + offset, registered with an enable, as <c>MacPipeline</c> writes it: an <paramref name="accBits"/>-bit
    /// signed accumulator, a <paramref name="constantBits"/>-bit constant (top bit set, the rest a fixed pattern), a
    /// product of accBits + 33 bits.
    /// </summary>
    public static CalibrationBlock RequantMultiplier(int accBits, int constantBits)
    {
        long m = (1L << (constantBits - 1)) | (0x5A5A5A5AL & ((1L << (constantBits - 1)) - 1));
        int p = accBits + 33;
        long offset = -((1L << (accBits + constantBits - 6)) + 12345);
        return new($"rqmul_a{accBits}_m{constantBits}", BlockKind.RequantMultiplier, "", constantBits, 0, accBits, 1, true,
            Module($"input clk, input en, input signed [{accBits - 1}:0] acc, output reg signed [{p - 1}:0] prod",
                $"  always @(posedge clk) if (en) prod <= acc * 32'sd{m.ToString(CultureInfo.InvariantCulture)} + -{p}'sd{(-offset).ToString(CultureInfo.InvariantCulture)};"));
    }

    /// <summary>
    /// Round half away from zero, arithmetic shift by <paramref name="shift"/> and clamp to [0, 2^outBits - 1] into a
    /// registered output, as <c>MacPipeline</c> writes step 3; shift 0 is the clamp alone (HGQ's ReLU on accumulators).
    /// </summary>
    public static CalibrationBlock RequantTail(int width, int shift, int outBits)
    {
        string max = $"{width}'sd{((1L << outBits) - 1).ToString(CultureInfo.InvariantCulture)}", maxOut = $"64'sd{((1L << outBits) - 1).ToString(CultureInfo.InvariantCulture)}";
        string rnd = shift == 0 ? "pe" : $"(pe + {width}'sh{(1L << (shift - 1)).ToString("x", CultureInfo.InvariantCulture)} - (pe[{width - 1}] ? {width}'sd1 : {width}'sd0)) >>> {shift}";
        return new($"rqtail_w{width}_s{shift}_o{outBits}", BlockKind.RequantTail, "", shift, outBits, width, 1, false,
            Module($"input clk, input en, input signed [{width - 1}:0] pe, output reg [{outBits - 1}:0] out",
                $"  wire signed [{width - 1}:0] rnd = {rnd};\n  always @(posedge clk) if (en) out <= (rnd > {max}) ? {maxOut} : (rnd < {width}'sd0) ? 64'sd0 : rnd[{outBits - 1}:0];"));
    }

    private static string Module(string ports, string body) => $"module top({ports});\n{body}\nendmodule\n";
}
