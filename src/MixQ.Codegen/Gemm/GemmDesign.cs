using System.Globalization;
using System.Text;
using MixQ.Codegen.Design;
using MixQ.Codegen.Verilog;
using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Codegen.Gemm;

/// <summary>
/// Architecture (b): the mixed-scheme GEMM engine. A LUT core (PoT/SP2 rows: runtime weights as shift codes, two
/// barrel shifts and an add per lane) and a DSP core (fixed-point rows: one multiplier per lane) work on the same
/// activation each cycle, every lane accumulating one row. Weights sit in per-lane ROMs (block RAM, loaded from
/// rom/*.hex), activations in two ping-pong memories, requantization parameters in a ROM. A controller runs the
/// model step by step (Dense and Conv2d as matrix steps with an address generator for the convolution window and
/// zero padding, max pooling on the same memory port); after each pass a write-back unit requantizes the lanes'
/// accumulators one by one with a single shared multiplier while the next pass runs.
/// Interface: one input code per beat (the whole sample in [C, H, W] order), then the logits in one beat.
/// </summary>
public sealed class GemmDesign
{
    public const string TopModule = "mixq_top";
    public const string FileName = "mixq_top.v";
    public const string RomFolder = "rom";

    private readonly GemmPlan _plan;

    private GemmDesign(GemmPlan plan) => _plan = plan;

    public int LutLanes => _plan.LutLanes;
    public int DspLanes => _plan.DspLanes;

    public static GemmDesign Build(IntegerModel model, GemmOptions? options = null)
    {
        options ??= GemmOptions.FromShare(GemmPlan.LutShare(model));
        if (options.LutLanes < 0 || options.DspLanes < 0 || options.LutLanes + options.DspLanes < 1)
            throw new MixQException($"GEMM engine: bad core sizes {options.LutLanes} LUT lanes, {options.DspLanes} DSP lanes");
        return new GemmDesign(GemmPlan.Build(model, options.LutLanes, options.DspLanes));
    }

    /// <summary>Cycles one inference takes by the schedule (load, passes, write-back drains), for comparison with simulation.</summary>
    public long ScheduledComputeCycles => _plan.Steps.Sum(s => (long)s.Positions * s.Passes * s.Len);

    public DesignManifest Manifest() => new()
    {
        Architecture = "gemm",
        Model = _plan.Model.ModelName,
        Method = _plan.Model.Method,
        Top = TopModule,
        VerilogFiles = [FileName],
        InputLanes = 1,
        InputBeats = _plan.InputSize,
        InputBits = InputType.Bits,
        InputSigned = InputType.Signed,
        OutputLanes = _plan.Model.NumClasses,
        OutputBits = _plan.Output.Bits,
        OutputSigned = _plan.Output.Signed,
        Modules =
        [
            .. _plan.LutLanes > 0 ? new[] { new DesignManifest.ModuleEntry("mixq_lut_core", MatrixLayers(true), "lut-core") } : [],
            .. _plan.DspLanes > 0 ? new[] { new DesignManifest.ModuleEntry("mixq_dsp_core", MatrixLayers(false), "dsp-core") } : [],
        ],
    };

    private IntType InputType
    {
        get
        {
            var r = _plan.Model.Analyze()[0];
            return IntType.ForRange(r.Min, r.Max);
        }
    }

    private string[] MatrixLayers(bool lut) =>
        _plan.Steps.Where(s => s.Kind != GemmStepKind.Pool && (lut ? s.LutRows.Length : s.DspRows.Length) > 0).Select(s => s.Layers[0]).ToArray();

    // Widths.
    private int AW => _plan.ActivationBits;
    private int A => _plan.AccBits;
    private int Lanes => _plan.Lanes;
    private int LW => Math.Max(AW, _plan.Output.SignedBits);
    private int OW => 2 + _plan.Steps.SelectMany(s => s.Rules).Select(r => 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)Math.Abs(r.Offset))).DefaultIfEmpty(0).Max();
    private int PW => Math.Max(A + 32, OW) + 1;
    private int RW => Math.Max(PW, _plan.Steps.SelectMany(s => s.Rules).Select(r => r.Shift + 2).DefaultIfEmpty(0).Max());
    public const int LutWordBits = 13; // {neg, va, sa[4:0], vb, sb[4:0]}

    /// <summary>Largest shift any LUT-core weight uses (PoT/SP2 shifts are F - e within the row frame; 0 without LUT rows).</summary>
    public int MaxLutShift => _maxLutShift ??= _plan.Steps.Where(s => s.Kind != GemmStepKind.Pool)
        .SelectMany(s => s.LutRows.SelectMany(row => Enumerable.Range(0, s.Len).Select(k =>
        {
            var c = ShiftCode.From(s.Weights!.RowFormats[row], s.Weights.RowFrames[row], s.Weights.Code(row, k));
            return Math.Max(c.ShiftA, c.ShiftB);
        }))).DefaultIfEmpty(0).Max();

    private int? _maxLutShift;

    /// <summary>Bits of the shift fields a LUT lane decodes (the ROM word keeps 5-bit fields; the upper bits are zero).</summary>
    public int ShiftFieldBits => Math.Max(1, 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)MaxLutShift));

    /// <summary>
    /// Width of a LUT lane's product: the activation shifted by at most MaxLutShift (the ROM holds no larger shift),
    /// two such terms added (one bit), then negated (one bit) — never wider than the accumulator.
    /// </summary>
    public int LutProductBits => Math.Min(A, AW + MaxLutShift + 2);

    /// <summary>Activation code width in memory (signed), the accumulator width of every lane, and the ROM depth per lane.</summary>
    public int ActivationBits => AW;
    public int AccumulatorBits => A;
    public int WeightRomDepth => RomDepth;
    public int ActivationMemoryDepth => _plan.MemoryDepth;
    public int InputBeats => _plan.InputSize;

    /// <summary>The formats of the rows on the LUT core (PoT/SP2) and on the DSP core (fixed point).</summary>
    public IReadOnlyList<NumberFormat> Formats(bool lutCore) => _plan.Steps.Where(s => s.Kind != GemmStepKind.Pool)
        .SelectMany(s => (lutCore ? s.LutRows : s.DspRows).Select(r => s.Weights!.RowFormats[r])).Distinct().OrderBy(f => f.ToString(), StringComparer.Ordinal).ToArray();
    public const int DspWordBits = 8;

    /// <summary>The ROM images: file name -> hex lines (one word per line), written to rom/.</summary>
    public IReadOnlyDictionary<string, string> RomFiles()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int l = 0; l < Lanes; l++)
        {
            bool lut = l < _plan.LutLanes;
            var text = new StringBuilder();
            foreach (var step in _plan.Steps.Where(s => s.Kind != GemmStepKind.Pool))
                for (int g = 0; g < step.Passes; g++)
                {
                    int row = RowOf(step, g, l);
                    for (int k = 0; k < step.Len; k++)
                    {
                        long word = row < 0 ? 0 : lut ? LutWord(step.Weights!, row, k) : DspWord(step.Weights!, row, k);
                        text.Append(word.ToString(lut ? "x4" : "x2", CultureInfo.InvariantCulture)).Append('\n');
                    }
                }
            if (text.Length == 0) text.Append(lut ? "0000\n" : "00\n");
            files[RomName(l)] = text.ToString();
        }
        return files;
    }

    private string RomName(int lane) => lane < _plan.LutLanes ? $"lut_lane{lane}.hex" : $"dsp_lane{lane - _plan.LutLanes}.hex";

    private int RomDepth => Math.Max(1, _plan.Steps.Where(s => s.Kind != GemmStepKind.Pool).Sum(s => s.Passes * s.Len));

    /// <summary>Row computed by lane <paramref name="lane"/> in pass <paramref name="g"/> of a matrix step, or -1.</summary>
    private int RowOf(GemmStep step, int g, int lane)
    {
        if (lane < _plan.LutLanes)
        {
            int idx = g * _plan.LutLanes + lane;
            return idx < step.LutRows.Length ? step.LutRows[idx] : -1;
        }
        int d = g * _plan.DspLanes + lane - _plan.LutLanes;
        return d < step.DspRows.Length ? step.DspRows[d] : -1;
    }

    private static long LutWord(IntegerWeights w, int row, int k)
    {
        var code = ShiftCode.From(w.RowFormats[row], w.RowFrames[row], w.Code(row, k));
        long word = 0;
        if (code.Negative) word |= 1 << 12;
        if (code.ShiftA >= 0) word |= (1 << 11) | ((long)code.ShiftA << 6);
        if (code.ShiftB >= 0) word |= (1 << 5) | (long)code.ShiftB;
        return word;
    }

    private static long DspWord(IntegerWeights w, int row, int k) => w.Value(row, k) & 0xFF;

    public string Verilog()
    {
        var w = new VerilogText();
        w.Line($"// Generated by MixQ (architecture: gemm) for model '{_plan.Model.ModelName}', method '{_plan.Model.Method}'.");
        w.Line($"// Mixed-scheme GEMM engine: {_plan.LutLanes} LUT-core lanes (PoT/SP2 rows), {_plan.DspLanes} DSP-core lanes (fixed-point rows).");
        w.Line("// Weight ROMs are read from ../rom/*.hex (relative to the simulation or synthesis folder). See docs/codegen.md. Do not edit.");
        w.Line("`default_nettype none");
        w.Line();
        if (_plan.LutLanes > 0) EmitCore(w, lut: true);
        if (_plan.DspLanes > 0) EmitCore(w, lut: false);
        EmitTop(w);
        w.Line("`default_nettype wire");
        return w.ToString();
    }

    private void EmitCore(VerilogText w, bool lut)
    {
        int lanes = lut ? _plan.LutLanes : _plan.DspLanes, first = lut ? 0 : _plan.LutLanes, wb = lut ? LutWordBits : DspWordBits;
        string name = lut ? "mixq_lut_core" : "mixq_dsp_core";
        w.Line(lut
            ? $"// LUT core: {lanes} lanes; weight = +-((a << sa) + (a << sb)) from a 13-bit shift code (PoT: one term, SP2: two)."
            : $"// DSP core: {lanes} lanes; weight = 8-bit two's complement fixed-point multiplicand, one multiplier per lane.");
        w.Line($"module {name} (");
        w.Indent();
        w.Line("input  wire clk,");
        w.Line("input  wire issue,");
        w.Line($"input  wire [{Bits(RomDepth) - 1}:0] waddr,");
        w.Line("input  wire mac,");
        w.Line("input  wire first,");
        w.Line($"input  wire signed [{AW - 1}:0] a,");
        w.Line($"output wire [{lanes * A - 1}:0] acc_flat");
        w.Outdent();
        w.Line(");");
        w.Indent();
        // LUT lanes shift only as far as the rows need (MaxLutShift), so their shifters and adder are as narrow as the
        // cost model's calibrated runtime SP2 multiplier; the product is sign-extended into the accumulator.
        int shiftBits = ShiftFieldBits, productBits = LutProductBits;
        if (lut) w.Line($"wire signed [{productBits - 1}:0] ax = {new IntType(AW, true).ExtendTo("a", productBits)};");
        else w.Line($"wire signed [{A - 1}:0] ax = {new IntType(AW, true).ExtendTo("a", A)};");
        for (int l = 0; l < lanes; l++)
        {
            w.Line($"(* rom_style = \"block\" *) reg [{wb - 1}:0] rom{l} [0:{RomDepth - 1}];");
            w.Line($"initial $readmemh(\"../{RomFolder}/{RomName(first + l)}\", rom{l});");
            w.Line($"reg [{wb - 1}:0] w{l};");
            w.Line($"always @(posedge clk) if (issue) w{l} <= rom{l}[waddr];");
            if (lut)
            {
                w.Line($"wire signed [{productBits - 1}:0] ta{l} = w{l}[11] ? (ax <<< w{l}[{6 + shiftBits - 1}:6]) : {VerilogText.Lit(0, productBits)};");
                w.Line($"wire signed [{productBits - 1}:0] tb{l} = w{l}[5] ? (ax <<< w{l}[{shiftBits - 1}:0]) : {VerilogText.Lit(0, productBits)};");
                w.Line($"wire signed [{productBits - 1}:0] q{l} = w{l}[12] ? -(ta{l} + tb{l}) : (ta{l} + tb{l});");
                w.Line($"wire signed [{A - 1}:0] p{l} = {new IntType(productBits, true).ExtendTo($"q{l}", A)};");
            }
            else
                w.Line($"wire signed [{A - 1}:0] p{l} = ax * $signed(w{l});");
            w.Line($"reg signed [{A - 1}:0] acc{l};");
            w.Line($"always @(posedge clk) if (mac) acc{l} <= (first ? {VerilogText.Lit(0, A)} : acc{l}) + p{l};");
            w.Line($"assign acc_flat[{l * A} +: {A}] = acc{l};");
        }
        w.Outdent();
        w.Line("endmodule");
        w.Line();
    }

    private void EmitTop(VerilogText w)
    {
        var steps = _plan.Steps;
        int n = steps.Count;
        int depth = _plan.MemoryDepth, ab = Bits(depth), sb = Bits(n), rb = Bits(Math.Max(2, steps.Max(s => s.Rows)));
        int posb = Bits(steps.Max(s => s.Positions) + 1), gb = Bits(steps.Max(s => s.Passes) + 1), kb = Bits(steps.Max(s => s.Len) + 1);
        int wab = Bits(RomDepth), lb = Bits(Lanes + 1);
        var paramRows = new List<(Requant Rule, long Bias)>();
        var pbase = new int[n];
        var rmbase = new int[n];
        var wbase = new int[n];
        var rowmap = new List<string>();
        int wcursor = 0;
        for (int s = 0; s < n; s++)
        {
            pbase[s] = paramRows.Count;
            rmbase[s] = rowmap.Count;
            wbase[s] = wcursor;
            if (steps[s].Kind == GemmStepKind.Pool) continue;
            for (int r = 0; r < steps[s].Rules.Length; r++) paramRows.Add((steps[s].Rules[r], steps[s].Bias[r]));
            for (int g = 0; g < steps[s].Passes; g++)
            {
                var entry = new StringBuilder();
                for (int l = Lanes - 1; l >= 0; l--)
                {
                    int row = RowOf(steps[s], g, l);
                    entry.Append(row < 0 ? "1'b0, " : "1'b1, ").Append(CultureInfo.InvariantCulture, $"{rb}'d{Math.Max(row, 0)}").Append(l > 0 ? ", " : "");
                }
                rowmap.Add("{" + entry + "}");
            }
            wcursor += steps[s].Passes * steps[s].Len;
        }
        int pdepth = Math.Max(1, paramRows.Count), rmdepth = Math.Max(1, rowmap.Count);
        int pwidth = 31 + 7 + 2 * LW + A + OW;
        var input = InputType;
        var output = _plan.Output;

        w.Line($"// Controller, memories and write-back: steps {string.Join(" | ", steps.Select(s => $"{s.Kind.ToString().ToLowerInvariant()} {string.Join("+", s.Layers)}"))}");
        StreamInterface.EmitModuleHeader(w, TopModule, input.Bits, _plan.Model.NumClasses * output.Bits);
        w.Indent();
        w.Line("localparam LOAD = 2'd0, RUN = 2'd1, DRAIN = 2'd2, OUT = 2'd3;");
        w.Line("reg [1:0] state;");
        w.Line($"reg [{sb - 1}:0] st;");
        w.Line($"reg [{ab - 1}:0] load_addr;");
        w.Line("assign in_ready = state == LOAD;");
        w.Line("assign out_valid = state == OUT;");
        // Step constants.
        w.Line($"reg [{kb - 1}:0] c_len; reg [{posb - 1}:0] c_pos; reg [{gb - 1}:0] c_passes; reg c_pool, c_last, c_inbank;");
        w.Line($"reg [{wab - 1}:0] c_wbase; reg [{Bits(pdepth) - 1}:0] c_pbase; reg [{Bits(rmdepth) - 1}:0] c_rmbase;");
        w.Line("reg [15:0] c_k, c_s, c_ow;");
        w.Line("always @* begin");
        w.Indent();
        w.Line("c_len = 0; c_pos = 0; c_passes = 0; c_pool = 0; c_last = 0; c_inbank = 0; c_wbase = 0; c_pbase = 0; c_rmbase = 0; c_k = 1; c_s = 1; c_ow = 1;");
        w.Line("case (st)");
        for (int s = 0; s < n; s++)
        {
            var t = steps[s];
            w.Line($"  {s}: begin c_len = {t.Len}; c_pos = {t.Positions}; c_passes = {t.Passes}; c_pool = {(t.Kind == GemmStepKind.Pool ? 1 : 0)}; c_last = {(t.Last ? 1 : 0)}; c_inbank = {t.InBank}; c_wbase = {wbase[s]}; c_pbase = {pbase[s]}; c_rmbase = {rmbase[s]}; c_k = {t.Kernel}; c_s = {t.Stride}; c_ow = {t.OutW}; end");
        }
        w.Line("  default: ;");
        w.Line("endcase");
        w.Outdent();
        w.Line("end");

        // Issue stage: loop counters and address generation.
        w.Line($"reg [{posb - 1}:0] pos; reg [15:0] oy, ox; reg [{gb - 1}:0] g; reg [{kb - 1}:0] kc; reg [15:0] kch, ki, kj;");
        w.Line($"reg [{wab - 1}:0] wa;");
        w.Line("reg issuing;");
        w.Line("reg v1, first1, last1, zero1, pool1, bsel1; reg [15:0] pos1, g1;");
        w.Line("reg v2, pool2; reg [15:0] pos2, g2;");
        w.Line("wire wb_busy;");
        w.Line($"wire hazard = (c_len < {Lanes + 4}) && kc == 0 && (wb_busy || v1 || v2);");
        w.Line("wire issue = state == RUN && issuing && !c_pool ? !hazard : (state == RUN && issuing);");
        w.Line("integer iy, ix, ch;");
        w.Line("reg zero;");
        w.Line($"reg [{ab - 1}:0] raddr;");
        w.Line("always @* begin");
        w.Indent();
        w.Line("iy = 0; ix = 0; ch = 0; zero = 1'b0; raddr = 0;");
        w.Line("case (st)");
        for (int s = 0; s < n; s++)
        {
            var t = steps[s];
            string chExpr = t.Kind == GemmStepKind.Pool ? "g" : "kch";
            w.Line($"  {s}: begin iy = oy * {t.Stride} + ki - {t.Padding}; ix = ox * {t.Stride} + kj - {t.Padding}; ch = {chExpr};");
            w.Line($"    zero = iy < 0 || iy >= {t.InH} || ix < 0 || ix >= {t.InW};");
            w.Line($"    raddr = (ch * {t.InH} + iy) * {t.InW} + ix; end");
        }
        w.Line("  default: ;");
        w.Line("endcase");
        w.Outdent();
        w.Line("end");

        // Memories.
        w.Line($"reg [{AW - 1}:0] bank0 [0:{depth - 1}];");
        w.Line($"reg [{AW - 1}:0] bank1 [0:{depth - 1}];");
        w.Line($"reg [{AW - 1}:0] rd0, rd1;");
        w.Line("always @(posedge clk) begin rd0 <= bank0[raddr]; rd1 <= bank1[raddr]; end");
        w.Line($"wire signed [{AW - 1}:0] a1 = zero1 ? {VerilogText.Lit(0, AW)} : (bsel1 ? rd1 : rd0);");
        w.Line("wire mem_we;");
        w.Line("wire mem_bank;");
        w.Line($"wire [{ab - 1}:0] mem_wa;");
        w.Line($"wire [{AW - 1}:0] mem_wd;");
        w.Line("always @(posedge clk) if (mem_we) begin");
        w.Line("  if (mem_bank) bank1[mem_wa] <= mem_wd; else bank0[mem_wa] <= mem_wd;");
        w.Line("end");

        // Cores.
        w.Line($"wire [{Lanes * A - 1}:0] accs;");
        if (_plan.LutLanes > 0)
            w.Line($"mixq_lut_core u_lut (.clk(clk), .issue(issue && !c_pool), .waddr(wa), .mac(v1 && !pool1), .first(first1), .a(a1), .acc_flat(accs[{_plan.LutLanes * A - 1}:0]));");
        if (_plan.DspLanes > 0)
            w.Line($"mixq_dsp_core u_dsp (.clk(clk), .issue(issue && !c_pool), .waddr(wa), .mac(v1 && !pool1), .first(first1), .a(a1), .acc_flat(accs[{Lanes * A - 1}:{_plan.LutLanes * A}]));");

        // Pooling unit.
        w.Line($"reg signed [{AW - 1}:0] pmax;");
        w.Line("always @(posedge clk) if (v1 && pool1) pmax <= (first1 || a1 > pmax) ? a1 : pmax;");

        w.Line($"reg [{wab - 1}:0] c_wbase_next;");
        w.Line("always @* begin");
        w.Line("  c_wbase_next = 0;");
        w.Line("  case (st)");
        for (int s = 0; s + 1 < n; s++) w.Line($"    {s}: c_wbase_next = {wbase[s + 1]};");
        w.Line("    default: ;");
        w.Line("  endcase");
        w.Line("end");

        // Controller.
        w.Line("always @(posedge clk) begin");
        w.Indent();
        w.Line("if (rst) begin");
        w.Line("  state <= LOAD; st <= 0; load_addr <= 0; issuing <= 1'b0; v1 <= 1'b0; v2 <= 1'b0;");
        w.Line("  pos <= 0; oy <= 0; ox <= 0; g <= 0; kc <= 0; kch <= 0; ki <= 0; kj <= 0; wa <= 0;");
        w.Line("end else begin");
        w.Indent();
        w.Line("v1 <= issue; first1 <= kc == 0; last1 <= kc == c_len - 1; zero1 <= zero; pool1 <= c_pool; bsel1 <= c_inbank; pos1 <= pos; g1 <= g;");
        w.Line("v2 <= v1 && last1; pool2 <= pool1; pos2 <= pos1; g2 <= g1;");
        w.Line("case (state)");
        w.Line("  LOAD: if (in_valid) begin");
        w.Line($"    load_addr <= load_addr + 1;");
        w.Line($"    if (load_addr == {_plan.InputSize - 1}) begin load_addr <= 0; state <= RUN; st <= 0; issuing <= 1'b1; wa <= 0; end");
        w.Line("  end");
        w.Line("  RUN: if (issue) begin");
        w.Indent();
        w.Line("if (kc == c_len - 1) begin");
        w.Indent();
        w.Line("kc <= 0; kch <= 0; ki <= 0; kj <= 0;");
        w.Line("if (g == c_passes - 1) begin");
        w.Indent();
        w.Line("g <= 0; wa <= c_wbase;");
        w.Line("if (pos == c_pos - 1) begin pos <= 0; oy <= 0; ox <= 0; issuing <= 1'b0; state <= DRAIN; end");
        w.Line("else begin pos <= pos + 1; if (ox == c_ow - 1) begin ox <= 0; oy <= oy + 1; end else ox <= ox + 1; end");
        w.Outdent();
        w.Line("end else begin g <= g + 1; wa <= wa + 1; end");
        w.Outdent();
        w.Line("end else begin");
        w.Indent();
        w.Line("kc <= kc + 1; wa <= wa + 1;");
        w.Line("if (kj == c_k - 1) begin kj <= 0; if (ki == c_k - 1) begin ki <= 0; kch <= kch + 1; end else ki <= ki + 1; end else kj <= kj + 1;");
        w.Outdent();
        w.Line("end");
        w.Outdent();
        w.Line("end");
        w.Line("  DRAIN: if (!v1 && !v2 && !wb_busy && !issue) begin");
        w.Line($"    if (c_last) state <= OUT; else begin st <= st + 1; state <= RUN; issuing <= 1'b1; wa <= c_wbase_next; end");
        w.Line("  end");
        w.Line("  OUT: if (out_ready) begin state <= LOAD; st <= 0; end");
        w.Line("endcase");
        w.Outdent();
        w.Line("end");
        w.Outdent();
        w.Line("end");
        // Row map and requantization parameters.
        w.Line($"reg [{Lanes * (rb + 1) - 1}:0] rowmap [0:{rmdepth - 1}];");
        w.Line($"reg [{pwidth - 1}:0] params [0:{pdepth - 1}];");
        w.Line("initial begin");
        w.Indent();
        if (rowmap.Count == 0) w.Line("rowmap[0] = 0;");
        for (int k = 0; k < rowmap.Count; k++) w.Line($"rowmap[{k}] = {rowmap[k]};");
        if (paramRows.Count == 0) w.Line("params[0] = 0;");
        for (int k = 0; k < paramRows.Count; k++)
        {
            var q = paramRows[k].Rule;
            long m = q.Identity ? 1 : q.Multiplier;
            w.Line($"params[{k}] = {{31'd{m}, 7'd{(q.Identity ? 0 : q.Shift)}, {VerilogText.Lit(q.Min, LW)}, {VerilogText.Lit(q.Max, LW)}, {VerilogText.Lit(paramRows[k].Bias, A)}, {VerilogText.Lit(q.Identity ? 0 : q.Offset, OW)}}};");
        }
        w.Outdent();
        w.Line("end");

        // Write-back: W0 select lane, read params; W1 multiply; W2 round, clamp, write.
        w.Line($"reg wb_active; reg [{lb - 1}:0] wl; reg [15:0] wb_pos, wb_g; reg [{sb - 1}:0] wb_st;");
        w.Line($"reg [{Lanes * A - 1}:0] hold;");
        w.Line($"reg [{Lanes * (rb + 1) - 1}:0] wb_map;");
        w.Line($"wire [{rb}:0] w0_entry = wb_map[wl * {rb + 1} +: {rb + 1}];");
        w.Line($"reg w1_valid; reg signed [{A - 1}:0] w1_acc; reg [{ab - 1}:0] w1_addr; reg [{rb - 1}:0] w1_row; reg [{pwidth - 1}:0] w1_par;");
        w.Line($"reg w2_valid; reg signed [{PW - 1}:0] w2_p; reg [{ab - 1}:0] w2_addr; reg [{rb - 1}:0] w2_row; reg [6:0] w2_s; reg signed [{LW - 1}:0] w2_min, w2_max;");
        w.Line("assign wb_busy = wb_active || w1_valid || w2_valid;");
        // Output address of lane wl: row * positions + position (per-step constant positions).
        w.Line($"reg [{ab - 1}:0] w_addr0;");
        w.Line("always @* begin");
        w.Line("  w_addr0 = 0;");
        w.Line("  case (st)");
        for (int s = 0; s < n; s++)
            if (steps[s].Kind != GemmStepKind.Pool)
                w.Line($"    {s}: w_addr0 = w0_entry[{rb - 1}:0] * {steps[s].Positions} + wb_pos;");
        w.Line("    default: ;");
        w.Line("  endcase");
        w.Line("end");
        w.Line("always @(posedge clk) begin");
        w.Indent();
        w.Line("if (rst) begin wb_active <= 1'b0; w1_valid <= 1'b0; w2_valid <= 1'b0; wl <= 0; end");
        w.Line("else begin");
        w.Indent();
        w.Line("if (v2 && !pool2) begin");
        w.Line("  wb_active <= 1'b1; wl <= 0; hold <= accs; wb_pos <= pos2; wb_g <= g2; wb_st <= st; wb_map <= rowmap[c_rmbase + g2];");
        w.Line($"end else if (wb_active) begin if (wl == {Lanes - 1}) wb_active <= 1'b0; else wl <= wl + 1; end");
        w.Line($"w1_valid <= wb_active && w0_entry[{rb}];");
        w.Line($"w1_acc <= hold[wl * {A} +: {A}];");
        w.Line($"w1_row <= w0_entry[{rb - 1}:0];");
        w.Line($"w1_par <= params[c_pbase + w0_entry[{rb - 1}:0]];");
        w.Line("w1_addr <= w_addr0;");
        w.Line("w2_valid <= w1_valid;");
        int ob = OW;
        w.Line($"w2_p <= (w1_acc + $signed(w1_par[{A - 1 + ob}:{ob}])) * $signed({{1'b0, w1_par[{pwidth - 1}:{pwidth - 31}]}}) + $signed(w1_par[{ob - 1}:0]);");
        w.Line($"w2_s <= w1_par[{2 * LW + 6 + A + ob}:{2 * LW + A + ob}];");
        w.Line($"w2_min <= w1_par[{2 * LW - 1 + A + ob}:{LW + A + ob}];");
        w.Line($"w2_max <= w1_par[{LW - 1 + A + ob}:{A + ob}];");
        w.Line("w2_addr <= w1_addr; w2_row <= w1_row;");
        w.Outdent();
        w.Line("end");
        w.Outdent();
        w.Line("end");
        w.Line($"wire signed [{RW - 1}:0] w2_pe = w2_p;");
        w.Line($"wire signed [{RW - 1}:0] w2_half = w2_s == 0 ? {VerilogText.Lit(0, RW)} : ({VerilogText.Lit(1, RW)} <<< (w2_s - 1));");
        w.Line($"wire signed [{RW - 1}:0] w2_rnd = (w2_pe + w2_half - ((w2_s != 0 && w2_pe < 0) ? {VerilogText.Lit(1, RW)} : {VerilogText.Lit(0, RW)})) >>> w2_s;");
        w.Line($"wire signed [{RW - 1}:0] w2_lo = w2_min, w2_hi = w2_max;");
        w.Line($"wire signed [{RW - 1}:0] w2_q = w2_rnd < w2_lo ? w2_lo : w2_rnd > w2_hi ? w2_hi : w2_rnd;");

        // Logits.
        int classes = _plan.Model.NumClasses;
        for (int o = 0; o < classes; o++)
        {
            w.Line($"reg [{output.Bits - 1}:0] logit{o};");
            w.Line($"assign out_data[{o * output.Bits} +: {output.Bits}] = logit{o};");
        }
        w.Line("always @(posedge clk) if (w2_valid && c_last) begin");
        w.Line("  case (w2_row)");
        for (int o = 0; o < classes; o++) w.Line($"    {o}: logit{o} <= w2_q[{output.Bits - 1}:0];");
        w.Line("    default: ;");
        w.Line("  endcase");
        w.Line("end");

        // Memory write port: input load, pooling results, write-back.
        w.Line($"wire [{AW - 1}:0] load_wd = {input.ExtendTo("in_data", AW)};");
        w.Line("wire pool_we = v2 && pool2;");
        w.Line($"reg [{ab - 1}:0] pool_wa;");
        w.Line("always @* begin");
        w.Line("  pool_wa = 0;");
        w.Line("  case (st)");
        for (int s = 0; s < n; s++)
            if (steps[s].Kind == GemmStepKind.Pool)
                w.Line($"    {s}: pool_wa = g2 * {steps[s].Positions} + pos2;");
        w.Line("    default: ;");
        w.Line("  endcase");
        w.Line("end");
        w.Line("assign mem_we = (state == LOAD && in_valid) || pool_we || (w2_valid && !c_last);");
        w.Line("assign mem_bank = state == LOAD ? 1'b0 : !c_inbank;");
        w.Line("assign mem_wa = state == LOAD ? load_addr : pool_we ? pool_wa : w2_addr;");
        w.Line($"assign mem_wd = state == LOAD ? load_wd : pool_we ? pmax : w2_q[{AW - 1}:0];");
        w.Outdent();
        w.Line("endmodule");
    }

    private static int Bits(int count)
    {
        int bits = 1;
        while ((1L << bits) < count) bits++;
        return bits;
    }
}
