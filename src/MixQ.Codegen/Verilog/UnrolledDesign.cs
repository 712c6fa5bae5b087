using MixQ.Codegen.Arithmetic;
using MixQ.Codegen.Design;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// Architecture (a): the whole integer model as a chain of fully unrolled, pipelined stages with constant
/// weights — streaming Conv2d and max pooling over a pixel stream, a flatten buffer, unrolled Dense layers —
/// joined by valid/ready handshakes in a top module `mixq_top`. One pixel (all channels) enters per beat; the
/// logits of one inference leave in one beat.
/// </summary>
public sealed class UnrolledDesign
{
    public const string TopModule = "mixq_top";
    public const string FileName = "mixq_top.v";

    private UnrolledDesign(IntegerModel model, IReadOnlyList<UnrolledStage> stages)
    {
        Model = model;
        Stages = stages;
    }

    public IntegerModel Model { get; }
    public IReadOnlyList<UnrolledStage> Stages { get; }
    public StagePorts Input => Stages[0].In;
    public StagePorts Output => Stages[^1].Out;

    /// <summary>Maps the layers onto stages; throws a MixQException for a layer sequence the architecture cannot build.</summary>
    public static UnrolledDesign Build(IntegerModel model)
    {
        var ranges = model.Analyze();
        var layers = model.Layers;
        var inputType = IntType.ForRange(ranges[0].Min, ranges[0].Max);
        StagePorts current = model.InputShape.Length switch
        {
            3 => StagePorts.Stream(model.InputShape[0], model.InputShape[1], model.InputShape[2], inputType),
            1 => StagePorts.Stream(1, model.InputShape[0], 1, inputType),
            _ => throw new MixQException($"unrolled design: input shape [{string.Join(", ", model.InputShape)}] is neither [C, H, W] nor [N]"),
        };
        var stages = new List<UnrolledStage>();
        bool vector = false;
        int i = 0;
        string Name(string kind) => $"mixq_s{stages.Count}_{kind}";
        void Flatten(IReadOnlyList<string> names)
        {
            var outPorts = StagePorts.Vector(current.Lanes * current.Beats, current.Element);
            stages.Add(new FlattenStage(Name("flatten"), names, current, outPorts));
            current = outPorts;
            vector = true;
        }
        while (i < layers.Count)
        {
            var layer = layers[i];
            switch (layer)
            {
                case IntFlatten:
                    if (!vector) Flatten([layer.Name]);
                    i++;
                    break;
                case IntDense d:
                {
                    if (!vector) Flatten([]);
                    var (requant, consumed, outRange) = Post(model, ranges, i, d.OutFeatures);
                    var outType = IntType.ForRange(outRange.Min, outRange.Max);
                    var outPorts = StagePorts.Vector(d.OutFeatures, outType);
                    stages.Add(new DenseStage(Name("dense"), Names(layers, i, consumed), current, outPorts,
                        Rows(d.Weights), d.Bias, AccBits(ranges[i + 1]), requant));
                    current = outPorts;
                    i += consumed;
                    break;
                }
                case IntConv2d c:
                {
                    if (vector) throw new MixQException($"unrolled design: convolution '{c.Name}' after a flatten");
                    var outShape = c.OutputShape([current.Channels, current.Height, current.Width]);
                    var (requant, consumed, outRange) = Post(model, ranges, i, c.OutChannels);
                    var outType = IntType.ForRange(outRange.Min, outRange.Max);
                    var outPorts = StagePorts.Stream(outShape[0], outShape[1], outShape[2], outType);
                    stages.Add(new ConvStage(Name("conv"), Names(layers, i, consumed), current, outPorts, c.KernelSize, c.Stride,
                        c.Padding, Rows(c.Weights), c.Bias, AccBits(ranges[i + 1]), requant));
                    current = outPorts;
                    i += consumed;
                    break;
                }
                case IntShiftRequantize q:
                {
                    // HGQ: per-element formats. On a pixel stream a lane is a channel: a channel whose pixels share one
                    // format is constant hardware, one whose pixels differ reads its format from a table indexed by
                    // the stream position (ShiftRequantStage, PixelFormatTable).
                    var outType = IntType.ForRange(ranges[i + 1].Min, ranges[i + 1].Max);
                    var outPorts = vector ? StagePorts.Vector(current.Lanes, outType) : StagePorts.Stream(current.Channels, current.Height, current.Width, outType);
                    stages.Add(new ShiftRequantStage(Name("shiftrq"), [q.Name], current, outPorts, q.Formats));
                    current = outPorts;
                    i++;
                    break;
                }
                case IntMaxPool2d p:
                {
                    if (vector) throw new MixQException($"unrolled design: pooling '{p.Name}' after a flatten");
                    if (p.Padding != 0) throw new MixQException($"unrolled design: max pooling '{p.Name}' with padding {p.Padding} is not supported (padding 0 only)");
                    var outShape = p.OutputShape([current.Channels, current.Height, current.Width]);
                    var outPorts = StagePorts.Stream(outShape[0], outShape[1], outShape[2], current.Element);
                    stages.Add(new MaxPoolStage(Name("maxpool"), [p.Name], current, outPorts, p.KernelSize, p.Stride));
                    current = outPorts;
                    i++;
                    break;
                }
                default:
                    throw new MixQException($"unrolled design: layer '{layer.Name}' ({layer.Op}) is not supported here (dense, conv2d, maxpool2d, flatten, with requantize/clamp after dense and conv2d)");
            }
        }
        if (!vector) Flatten([]);
        if (current.Lanes != model.NumClasses) throw new MixQException($"unrolled design: the network ends in {current.Lanes} values, expected {model.NumClasses}");
        return new UnrolledDesign(model, stages);
    }

    /// <summary>mixq_top.v: every stage module, then the top that chains them.</summary>
    public string Verilog()
    {
        var w = new VerilogText();
        w.Line($"// Generated by MixQ (architecture: unrolled) for model '{Model.ModelName}', method '{Model.Method}'.");
        w.Line("// Fully unrolled constant-weight layers chained with valid/ready; see docs/codegen.md. Do not edit.");
        w.Line("`default_nettype none");
        w.Line();
        foreach (var stage in Stages)
        {
            stage.Emit(w);
            w.Line();
        }
        EmitTop(w);
        w.Line("`default_nettype wire");
        return w.ToString();
    }

    public DesignManifest Manifest() => new()
    {
        Architecture = "unrolled",
        Model = Model.ModelName,
        Method = Model.Method,
        Top = TopModule,
        VerilogFiles = [FileName],
        InputLanes = Input.Lanes,
        InputBeats = Input.Beats,
        InputBits = Input.Element.Bits,
        InputSigned = Input.Element.Signed,
        OutputLanes = Output.Lanes,
        OutputBits = Output.Element.Bits,
        OutputSigned = Output.Element.Signed,
        Modules = Stages.Select(s => new DesignManifest.ModuleEntry(s.Module, s.Layers, s.GetType().Name.Replace("Stage", "").ToLowerInvariant())).ToArray(),
    };

    private void EmitTop(VerilogText w)
    {
        w.Line($"// {Model.ModelName}: {Input.Beats} beats of {Input.Lanes} x {Input.Element} in, {Output.Lanes} x {Output.Element} out");
        StreamInterface.EmitModuleHeader(w, TopModule, Input.DataBits, Output.DataBits);
        w.Indent();
        for (int k = 0; k <= Stages.Count; k++)
        {
            int bits = k == 0 ? Input.DataBits : Stages[k - 1].Out.DataBits;
            w.Line($"wire c{k}_valid, c{k}_ready;");
            w.Line($"wire [{bits - 1}:0] c{k}_data;");
        }
        w.Line("assign c0_valid = in_valid;");
        w.Line("assign in_ready = c0_ready;");
        w.Line("assign c0_data = in_data;");
        for (int k = 0; k < Stages.Count; k++)
        {
            w.Line($"{Stages[k].Module} u{k} (.clk(clk), .rst(rst), .in_valid(c{k}_valid), .in_ready(c{k}_ready), .in_data(c{k}_data),");
            w.Line($"  .out_valid(c{k + 1}_valid), .out_ready(c{k + 1}_ready), .out_data(c{k + 1}_data));");
        }
        int last = Stages.Count;
        w.Line($"assign out_valid = c{last}_valid;");
        w.Line($"assign c{last}_ready = out_ready;");
        w.Line($"assign out_data = c{last}_data;");
        w.Outdent();
        w.Line("endmodule");
    }

    /// <summary>Requantization (and clamp) right after a Dense/Conv2d at <paramref name="at"/>: per-row rules, layers consumed, output range.</summary>
    private static (Requant[] Requant, int Consumed, TensorRange Range) Post(IntegerModel model, IReadOnlyList<TensorRange> ranges, int at, int rows)
    {
        var layers = model.Layers;
        if (at + 1 < layers.Count && layers[at + 1] is IntRequantize r)
        {
            IntClamp? clamp = at + 2 < layers.Count ? layers[at + 2] as IntClamp : null;
            int consumed = clamp is null ? 2 : 3;
            var rules = Requant.From(r, rows, clamp);
            // The declared range may be the whole of long (logits); what requantization can reach is narrower.
            var accRange = ranges[at + 1];
            long lo = rules.Min(q => q.Apply(accRange.Min)), hi = rules.Max(q => q.Apply(accRange.Max));
            var declared = ranges[at + consumed];
            return (rules, consumed, declared with { Min = Math.Max(lo, declared.Min), Max = Math.Min(hi, declared.Max) });
        }
        if (at + 1 < layers.Count && layers[at + 1] is IntClamp k)
        {
            // HGQ: ReLU on accumulators, no multiplier (the per-element requantization follows as its own stage).
            var clamped = ranges[at + 2];
            return (Enumerable.Repeat(Requant.Clamp(k.Min, k.Max), rows).ToArray(), 2, clamped);
        }
        var acc = ranges[at + 1];
        return (Enumerable.Repeat(Requant.None(acc.Min, acc.Max), rows).ToArray(), 1, acc);
    }

    private static List<string> Names(IReadOnlyList<IntLayer> layers, int at, int count) =>
        layers.Skip(at).Take(count).Select(l => l.Name).ToList();

    private static int AccBits(TensorRange accRange) => Math.Max(2, accRange.Bits);

    internal static List<ShiftAddTerm>[] Rows(IntegerWeights weights)
    {
        var rows = new List<ShiftAddTerm>[weights.Rows];
        for (int r = 0; r < weights.Rows; r++)
        {
            var terms = new List<ShiftAddTerm>();
            // Multiplicand rows (HGQ) are constants like fixed-point rows: canonical-signed-digit shift-add.
            var scheme = weights.MultipliesRow(r) ? Quantization.NumberSystems.QuantScheme.Fixed : weights.RowFormats[r].Scheme;
            for (int j = 0; j < weights.RowLength; j++) ShiftAdd.AppendWeight(terms, j, weights.Value(r, j), scheme);
            rows[r] = terms;
        }
        return rows;
    }
}
