using MixQ.Codegen.Verilog;
using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Codegen.Gemm;

/// <summary>
/// The schedule of an integer model on the mixed-scheme GEMM engine: a list of steps the controller runs one after
/// another. A matrix step (Dense or Conv2d with its requantization) splits the layer's rows by core — PoT/SP2 rows
/// to the LUT core, fixed-point rows to the DSP core — and runs them in passes of one row per lane; a pool step
/// runs max pooling on the same memories. Flatten is free (tensors stay in [C, H, W] order in memory).
/// </summary>
internal sealed class GemmPlan
{
    public required IntegerModel Model { get; init; }
    public required int LutLanes { get; init; }
    public required int DspLanes { get; init; }
    public required IReadOnlyList<GemmStep> Steps { get; init; }
    public required int ActivationBits { get; init; }
    public required IntType Output { get; init; }
    public required int AccBits { get; init; }
    public required int InputSize { get; init; }
    public required int MemoryDepth { get; init; }

    public int Lanes => LutLanes + DspLanes;

    public static bool OnLutCore(NumberFormat f) => f.Scheme is QuantScheme.PowerOfTwo or QuantScheme.SP2;

    public static GemmPlan Build(IntegerModel model, int lutLanes, int dspLanes)
    {
        var ranges = model.Analyze();
        var layers = model.Layers;
        var steps = new List<GemmStep>();
        int[] shape = model.InputShape;
        int storedBits = IntType.ForRange(ranges[0].Min, ranges[0].Max).SignedBits;
        int accBits = 2, depth = ranges[0].Shape.Aggregate(1, (a, b) => a * b);
        IntType output = default;
        int bank = 0;
        for (int i = 0; i < layers.Count;)
        {
            var layer = layers[i];
            int[] inShape = ranges[i].Shape;
            switch (layer)
            {
                case IntFlatten:
                    i++;
                    break;
                case IntDense or IntConv2d:
                {
                    var weights = layer is IntDense d ? d.Weights : ((IntConv2d)layer).Weights;
                    var bias = layer is IntDense d2 ? d2.Bias : ((IntConv2d)layer).Bias;
                    var acc = ranges[i + 1];
                    accBits = Math.Max(accBits, Math.Max(2, acc.Bits));
                    int consumed = 1;
                    Requant[] rules;
                    if (i + 1 < layers.Count && layers[i + 1] is IntRequantize r)
                    {
                        var clamp = i + 2 < layers.Count ? layers[i + 2] as IntClamp : null;
                        consumed = clamp is null ? 2 : 3;
                        rules = Requant.From(r, weights.Rows, clamp);
                    }
                    else rules = Enumerable.Repeat(Requant.None(acc.Min, acc.Max), weights.Rows).ToArray();
                    // Tighten each rule to what it can reach, so bounds fit the stored width (logits' full-range clamps vanish).
                    long lo = rules.Min(q => q.Apply(acc.Min)), hi = rules.Max(q => q.Apply(acc.Max));
                    rules = rules.Select(q => q with { Min = Math.Max(q.Min, lo), Max = Math.Min(q.Max, hi) }).ToArray();
                    bool last = i + consumed >= layers.Count;
                    var outType = IntType.ForRange(lo, hi);
                    if (last) output = outType;
                    else storedBits = Math.Max(storedBits, outType.SignedBits);
                    int[] outShape = ranges[i + consumed].Shape;
                    var lutRows = Enumerable.Range(0, weights.Rows).Where(row => OnLutCore(weights.RowFormats[row])).ToArray();
                    var dspRows = Enumerable.Range(0, weights.Rows).Where(row => !OnLutCore(weights.RowFormats[row])).ToArray();
                    if (lutRows.Length > 0 && lutLanes == 0) throw new MixQException($"GEMM engine: layer '{layer.Name}' has PoT/SP2 rows but the LUT core has no lanes");
                    if (dspRows.Length > 0 && dspLanes == 0) throw new MixQException($"GEMM engine: layer '{layer.Name}' has fixed-point rows but the DSP core has no lanes");
                    int passes = Math.Max(lutLanes == 0 ? 0 : Ceil(lutRows.Length, lutLanes), dspLanes == 0 ? 0 : Ceil(dspRows.Length, dspLanes));
                    var step = new GemmStep
                    {
                        Kind = layer is IntConv2d ? GemmStepKind.Conv : GemmStepKind.Dense,
                        Layers = layers.Skip(i).Take(consumed).Select(l => l.Name).ToArray(),
                        Weights = weights, Bias = bias, Rules = rules, LutRows = lutRows, DspRows = dspRows, Passes = passes,
                        Len = weights.RowLength, InShape = inShape, OutShape = outShape, InBank = bank, Last = last,
                        Kernel = layer is IntConv2d c ? c.KernelSize : 1, Stride = layer is IntConv2d c2 ? c2.Stride : 1,
                        Padding = layer is IntConv2d c3 ? c3.Padding : 0,
                    };
                    steps.Add(step);
                    depth = Math.Max(depth, outShape.Aggregate(1, (a, b) => a * b));
                    bank = 1 - bank;
                    i += consumed;
                    break;
                }
                case IntMaxPool2d p:
                {
                    if (p.Padding != 0) throw new MixQException($"GEMM engine: max pooling '{p.Name}' with padding {p.Padding} is not supported (padding 0 only)");
                    int[] outShape = ranges[i + 1].Shape;
                    steps.Add(new GemmStep
                    {
                        Kind = GemmStepKind.Pool, Layers = [p.Name], Len = p.KernelSize * p.KernelSize, InShape = inShape, OutShape = outShape,
                        InBank = bank, Kernel = p.KernelSize, Stride = p.Stride, Padding = 0, Passes = outShape[0],
                    });
                    bank = 1 - bank;
                    i++;
                    break;
                }
                default:
                    throw new MixQException($"GEMM engine: layer '{layer.Name}' ({layer.Op}) is not supported (dense, conv2d, maxpool2d, flatten, with requantize/clamp after dense and conv2d)");
            }
            shape = ranges[Math.Min(i, ranges.Count - 1)].Shape;
        }
        if (steps.Count == 0 || !steps[^1].Last) throw new MixQException("GEMM engine: the model must end in a Dense layer (with or without requantization)");
        return new GemmPlan
        {
            Model = model, LutLanes = lutLanes, DspLanes = dspLanes, Steps = steps, ActivationBits = storedBits, Output = output,
            AccBits = accBits, InputSize = ranges[0].Shape.Aggregate(1, (a, b) => a * b), MemoryDepth = depth,
        };
    }

    /// <summary>Share of multiply-accumulates that run on PoT/SP2 rows (the LUT core), the partition ratio of the model.</summary>
    public static double LutShare(IntegerModel model)
    {
        var ranges = model.Analyze();
        double lut = 0, all = 0;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var w = model.Layers[i] switch { IntDense d => d.Weights, IntConv2d c => c.Weights, _ => null };
            if (w is null) continue;
            var outShape = ranges[i + 1].Shape;
            long positions = outShape.Length == 3 ? (long)outShape[1] * outShape[2] : 1;
            for (int r = 0; r < w.Rows; r++)
            {
                double macs = (double)w.RowLength * positions;
                all += macs;
                if (OnLutCore(w.RowFormats[r])) lut += macs;
            }
        }
        return all == 0 ? 0 : lut / all;
    }

    private static int Ceil(int a, int b) => (a + b - 1) / b;
}
