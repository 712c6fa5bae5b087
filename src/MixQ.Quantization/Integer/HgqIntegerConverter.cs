using System.Numerics;
using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Turns a calibrated HGQ model (biases snapped, as <see cref="HgqJob.Load"/> returns it) into an
/// <see cref="IntegerModel"/> whose integer logits times <see cref="IntegerModel.OutputScale"/> equal the model's
/// float outputs exactly. Every HGQ step is a power of two, so there is no multiplier anywhere:
/// <list type="bullet">
/// <item>The first layer's input quantizer becomes the <see cref="FixedPointEntrance"/>; every later layer's input
/// quantizer an <see cref="IntShiftRequantize"/> right where HGQ applies it (after ReLU, max pooling and flatten,
/// which act on accumulators as in HGQ). Element e with format (k, i, f) gets the shift g_e - f (g_e: the grid of
/// the incoming integer, 2^-g_e per unit) and the alignment F_in - f, F_in the largest f of the layer's elements
/// that are not pruned: the layer's input is then one integer tensor on the grid 2^-F_in.</item>
/// <item>Weights: code m with f fractional bits becomes the multiplicand m &lt;&lt; (F_r - f), F_r the largest f of
/// row r's non-zero weights (raised where the bias needs a finer grid), so the accumulator of row r sits on the grid
/// 2^-(F_in + F_r) and the bias is an exact integer there.</item>
/// <item>The last layer's rows are shifted left onto the finest of their grids (an exact power-of-two
/// <see cref="IntRequantize"/>), and <see cref="IntegerModel.OutputScale"/> is that grid's step.</item>
/// </list>
/// Grids here may be coarser than HGQ's own (<see cref="HgqModel.AccumulatorFractionalBits"/> counts pruned
/// entries too); the values are the same exact numbers, on narrower integers.
/// </summary>
public static class HgqIntegerConverter
{
    public const string Method = "hgq";

    /// <summary>Largest left shift of the output alignment (an exact multiplier 2^30 with shift 30 - d).</summary>
    private const int MaxOutputShift = 30;

    /// <summary>Loads an HGQ checkpoint (written by mixq quantize --method hgq) and converts it.</summary>
    public static IntegerModel FromCheckpoint(string path)
    {
        var (model, spec) = HgqJob.Load(path);
        return Convert(model, spec);
    }

    public static IntegerModel Convert(Module model, ModelSpec spec)
    {
        var leaves = SequentialLeaves.Of(model, "HGQ integer conversion");
        int first = leaves.FindIndex(l => l.Module is QuantizableLayer);
        if (first < 0) throw new MixQException($"model {spec.Name} has no Linear or Conv2d layer");

        var layers = new List<IntLayer>();
        var shape = spec.InputShape.ToArray();
        for (int i = 0; i < first; i++)
        {
            var (name, module) = leaves[i];
            if (module is Flatten { StartAxis: 1 }) layers.Add(new IntFlatten(name));
            else if (module is not (Identity or Dropout))
                throw new MixQException($"HGQ integer conversion: layer '{name}' ({module.GetType().Name}) before the first quantized layer is not supported");
        }
        foreach (var l in layers) shape = l.OutputShape(shape);

        EntranceQuantizer? entrance = null;
        int[] grid = []; // fractional bits of each element of the current tensor (an integer x means x 2^-grid)
        for (int index = first; index < leaves.Count; index++)
        {
            var (name, module) = leaves[index];
            switch (module)
            {
                case QuantizableLayer layer:
                {
                    var hgq = AsHgq(name, layer);
                    int size = shape.Aggregate(1, (a, b) => a * b);
                    if (hgq.Input.ElementSize != size)
                        throw new MixQException($"HGQ integer conversion: layer '{name}' quantizes {hgq.Input.ElementSize} input elements, its input has {size}");
                    var (formats, inputGrid) = InputFormats(hgq, entrance is null ? null : grid);
                    if (entrance is null) entrance = new FixedPointEntrance(formats);
                    else Emit(new IntShiftRequantize(name + ".input_requant", formats));
                    var range = formats.Range;
                    var (matrix, rowGrids) = Matrix(name, hgq, inputGrid, ActivationCodes.Covering(range.Min, range.Max));
                    Emit(matrix);
                    int perRow = shape.Skip(1).Aggregate(1, (a, b) => a * b);
                    grid = rowGrids.SelectMany(g => Enumerable.Repeat(g, perRow)).ToArray();
                    break;
                }
                case ReLU:
                    Emit(new IntClamp(name, 0, long.MaxValue));
                    break;
                case MaxPool2d p:
                {
                    var pool = new IntMaxPool2d(name, p.KernelSize, p.Stride, p.Padding);
                    int channels = shape[0], plane = shape.Skip(1).Aggregate(1, (a, b) => a * b);
                    for (int c = 0; c < channels; c++)
                        if (grid.Skip(c * plane).Take(plane).Distinct().Count() != 1)
                            throw new MixQException($"HGQ integer conversion: max pooling '{name}' would compare values on different grids in channel {c}");
                    Emit(pool);
                    int outPlane = shape.Skip(1).Aggregate(1, (a, b) => a * b);
                    grid = Enumerable.Range(0, channels).SelectMany(c => Enumerable.Repeat(grid[c * plane], outPlane)).ToArray();
                    break;
                }
                case Flatten { StartAxis: 1 }:
                    Emit(new IntFlatten(name));
                    break;
                case Identity or Dropout:
                    break;
                default:
                    throw new MixQException($"HGQ integer conversion: layer '{name}' ({module.GetType().Name}) is not supported (Linear, Conv2d, ReLU, MaxPool2d, Flatten, Dropout)");
            }
        }

        // Logits of different rows sit on different grids: shift each left onto the finest one.
        int finest = grid.Max();
        var lefts = grid.Select(g => finest - g).ToArray();
        if (lefts.Max() > MaxOutputShift)
            throw new MixQException($"HGQ integer conversion: output grids differ by {lefts.Max()} bits (at most {MaxOutputShift})");
        if (shape.Length < 1 || lefts.Length != shape[0])
            throw new MixQException($"HGQ integer conversion: the model ends in shape [{string.Join(", ", shape)}], expected [classes]");
        Emit(new IntRequantize("output", Enumerable.Repeat(1 << MaxOutputShift, lefts.Length).ToArray(),
            lefts.Select(d => MaxOutputShift - d).ToArray(), new long[lefts.Length], long.MinValue, long.MaxValue).Validate());

        var result = new IntegerModel(spec.Name, spec.InputShape.ToArray(), spec.NumClasses, entrance!, layers, Math.ScaleB(1.0, -finest), Method);
        result.Analyze();
        return result;

        void Emit(IntLayer layer)
        {
            shape = layer.OutputShape(shape);
            layers.Add(layer);
        }
    }

    private static HgqLayer AsHgq(string name, QuantizableLayer layer)
    {
        if (layer is not (Linear or Conv2d { Groups: 1 }))
            throw new MixQException($"HGQ integer conversion: layer '{name}' ({layer.GetType().Name}{(layer is Conv2d c ? $", {c.Groups} groups" : "")}) is not supported");
        if (layer is not { WeightQuantizer: HgqQuantizer w, InputQuantizer: HgqQuantizer a })
            throw new MixQException($"HGQ integer conversion: layer '{name}' has no HGQ quantizers (is the checkpoint an HGQ model?)");
        return new HgqLayer(name, layer, w, a);
    }

    /// <summary>
    /// The layer's input quantizer per element: shift from the incoming grid (null: the float entrance, grid 0) to
    /// the element's f, its width and sign, and the alignment onto F_in. Returns F_in.
    /// </summary>
    private static (ElementFormats Formats, int InputGrid) InputFormats(HgqLayer layer, int[]? incoming)
    {
        var groups = layer.Input.Formats();
        int n = layer.Input.ElementSize, span = layer.Input.GroupSpan;
        int fin = groups.Where(f => f.Width > 0).Select(f => f.FractionalBits).DefaultIfEmpty(0).Max();
        var shifts = new int[n];
        var widths = new int[n];
        var signed = new bool[n];
        var aligns = new int[n];
        for (int e = 0; e < n; e++)
        {
            var f = groups[e / span];
            if (f.Width == 0) continue; // the constant 0
            shifts[e] = (incoming is null ? 0 : incoming[e]) - f.FractionalBits;
            widths[e] = f.Width;
            signed[e] = f.Signed;
            aligns[e] = fin - f.FractionalBits;
        }
        var config = layer.Input.Config;
        return (new ElementFormats(shifts, widths, signed, aligns, config.Rounding, config.Overflow).Validate($"layer '{layer.Name}' input", n), fin);
    }

    /// <summary>The Dense/Conv2d on multiplicands, and the fractional bits of each row's accumulator.</summary>
    private static (IntLayer Layer, int[] RowGrids) Matrix(string name, HgqLayer hgq, int inputGrid, ActivationCodes input)
    {
        var layer = hgq.Layer;
        int rows = layer.Rows, length = layer.RowLength, span = hgq.Weight.GroupSpan;
        var codes = hgq.Weight.WeightCodes(layer.Weight);
        var formats = hgq.Weight.Formats(layer.Weight);
        var hgqGrid = HgqModel.AccumulatorFractionalBits(hgq);
        var floatBias = layer.Bias?.Contiguous().Span.ToArray();

        // HGQ's bias codes B on its grid 2^-E (HgqModel.SnapBiases put them there).
        var biasCodes = new long[rows];
        for (int r = 0; r < rows && floatBias is not null; r++)
        {
            double code = Math.ScaleB((double)floatBias[r], hgqGrid[r]);
            if (code != Math.Floor(code) || Math.Abs(code) >= Math.ScaleB(1.0, 62))
                throw new MixQException($"HGQ integer conversion: layer '{name}' bias {r} ({floatBias[r]}) is not on its accumulator grid 2^-{hgqGrid[r]} (snap biases first)");
            biasCodes[r] = (long)code;
        }

        // F_r: the largest f among the row's non-zero weights, and fine enough for the bias.
        var frames = new int?[rows];
        for (int r = 0; r < rows; r++)
        {
            int? best = null;
            for (int j = 0; j < length; j++)
            {
                int e = r * length + j;
                if (codes[e] != 0) best = Math.Max(best ?? int.MinValue, formats[e / span].FractionalBits);
            }
            if (biasCodes[r] != 0)
            {
                int needed = hgqGrid[r] - BitOperations.TrailingZeroCount(biasCodes[r]) - inputGrid;
                best = Math.Max(best ?? int.MinValue, needed);
            }
            frames[r] = best;
        }
        // An all-zero row (pruned, no bias) can sit on any grid: the coarsest in use keeps the output shifts small.
        int fallback = frames.Where(f => f is not null).Select(f => f!.Value).DefaultIfEmpty(0).Min();
        var rowBits = frames.Select(f => f ?? fallback).ToArray();

        var values = new int[rows * length];
        var bias = new long[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < length; j++)
            {
                int e = r * length + j;
                if (codes[e] == 0) continue;
                int left = rowBits[r] - formats[e / span].FractionalBits;
                Int128 v = (Int128)codes[e] << left;
                if (v <= int.MinValue || v > int.MaxValue)
                    throw new MixQException($"HGQ integer conversion: layer '{name}' weight [{r}, {j}] needs a multiplicand of {v} (beyond 32 bits)");
                values[e] = (int)v;
            }
            int exponent = inputGrid + rowBits[r] - hgqGrid[r];
            if (exponent > 62 && biasCodes[r] != 0)
                throw new MixQException($"HGQ integer conversion: layer '{name}' bias {r} would need a {exponent}-bit left shift");
            Int128 b = exponent >= 0 ? (Int128)biasCodes[r] << exponent : (Int128)biasCodes[r] >> -exponent; // exact: see the frames
            if (b >= Int128.One << 62 || b <= -(Int128.One << 62))
                throw new MixQException($"HGQ integer conversion: layer '{name}' bias {r} needs {b} accumulator units (beyond 62 bits)");
            bias[r] = (long)b;
        }

        var weights = IntegerWeights.FromMultiplicands(rows, length, rowBits, values);
        var (lo, hi) = IntegerModel.AccumulatorRange(weights, bias, input, 1);
        int accBits = IntegerModel.BitsFor(lo, hi);
        IntLayer matrix = layer switch
        {
            Linear => new IntDense(name, weights, bias, input, accBits),
            Conv2d c => new IntConv2d(name, weights, bias, input, accBits, c.InChannels, c.KernelSize, c.Stride, c.Padding),
            _ => throw new MixQException($"HGQ integer conversion: layer '{name}' ({layer.GetType().Name}) is not supported"),
        };
        return (matrix, rowBits.Select(f => inputGrid + f).ToArray());
    }
}
