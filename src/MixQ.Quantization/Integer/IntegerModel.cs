namespace MixQ.Quantization.Integer;

/// <summary>
/// A quantized network in integer arithmetic only — the project's hardware IR. Float inputs of
/// <see cref="InputShape"/> are quantized once by <see cref="Input"/> (clip-based for row-wise models, per-element
/// fixed-point for HGQ models); then <see cref="Layers"/> run in order on
/// integer tensors (codes after requantization, accumulators after Dense/Conv2d); the last layer produces
/// <see cref="NumClasses"/> integer logits whose real value is logit * <see cref="OutputScale"/> (informative only:
/// the prediction is the arg-max, lowest index on ties). Run it with <see cref="IntegerEngine"/>; save/load with
/// <see cref="IntegerModelFile"/>; the format is in docs/integer-format.md.
/// </summary>
public sealed record IntegerModel(
    string ModelName,
    int[] InputShape,
    int NumClasses,
    EntranceQuantizer Input,
    IReadOnlyList<IntLayer> Layers,
    double OutputScale,
    string Method)
{
    /// <summary>
    /// Shape and value range after every layer (index 0 = after the entrance quantizer), checking that shapes chain,
    /// that every Dense/Conv2d input lies inside its declared code range, that accumulators fit their declared bits
    /// and that the output is [NumClasses]. Throws a MixQException naming the first problem. Code generators read
    /// the ranges to size their wires.
    /// </summary>
    public IReadOnlyList<TensorRange> Analyze()
    {
        if (InputShape.Length == 0 || InputShape.Any(d => d < 1)) throw new MixQException($"integer model: bad input shape [{string.Join(", ", InputShape)}]");
        Input.Validate(InputShape.Aggregate(1, (a, b) => a * b));
        if (NumClasses < 1) throw new MixQException($"integer model: {NumClasses} classes");
        var ranges = new List<TensorRange>();
        var shape = InputShape;
        var (min, max) = Input.CodeRange;
        ranges.Add(new TensorRange("input", shape, min, max));
        foreach (var layer in Layers)
        {
            var next = layer.OutputShape(shape);
            switch (layer)
            {
                case IntDense d:
                    CheckMatrixLayer(layer, d.Input, d.Weights, d.Bias, d.AccumulatorBits, min, max);
                    (min, max) = AccumulatorRange(d.Weights, d.Bias, d.Input, 1);
                    break;
                case IntConv2d c:
                    CheckMatrixLayer(layer, c.Input, c.Weights, c.Bias, c.AccumulatorBits, min, max);
                    if (c.Weights.RowLength != c.InChannels * c.KernelSize * c.KernelSize)
                        throw new MixQException($"integer layer '{c.Name}': weight rows of {c.Weights.RowLength} do not match {c.InChannels} x {c.KernelSize} x {c.KernelSize}");
                    if (c.Stride < 1 || c.Padding < 0 || c.KernelSize < 1) throw new MixQException($"integer layer '{c.Name}': bad kernel {c.KernelSize}, stride {c.Stride} or padding {c.Padding}");
                    (min, max) = AccumulatorRange(c.Weights, c.Bias, c.Input, 1);
                    break;
                case IntRequantize r:
                    r.Validate();
                    (min, max) = (r.Min, r.Max);
                    break;
                case IntShiftRequantize q:
                    q.Formats.Validate($"shift_requantize '{q.Name}'", shape.Aggregate(1, (a, b) => a * b));
                    (min, max) = q.Formats.Range;
                    break;
                case IntClamp k:
                    if (k.Min > k.Max) throw new MixQException($"integer layer '{k.Name}': clamp min {k.Min} is above max {k.Max}");
                    (min, max) = (Math.Max(min, k.Min), Math.Min(max, k.Max));
                    if (min > max) (min, max) = (k.Min, k.Min);
                    break;
                case IntMaxPool2d p:
                    if (p.KernelSize < 1 || p.Stride < 1 || p.Padding < 0 || 2 * p.Padding > p.KernelSize)
                        throw new MixQException($"integer layer '{p.Name}': bad pool kernel {p.KernelSize}, stride {p.Stride} or padding {p.Padding}");
                    break;
                case IntGlobalSumPool:
                    long count = (long)shape[1] * shape[2];
                    (min, max) = (SaturatingMultiply(min, count, layer), SaturatingMultiply(max, count, layer));
                    break;
                case IntFlatten:
                    break;
                default:
                    throw new MixQException($"integer model: unknown layer type {layer.GetType().Name}");
            }
            shape = next;
            ranges.Add(new TensorRange(layer.Name, shape, min, max));
        }
        if (shape.Length != 1 || shape[0] != NumClasses)
            throw new MixQException($"integer model: output shape [{string.Join(", ", shape)}], expected [{NumClasses}]");
        return ranges;
    }

    private static void CheckMatrixLayer(IntLayer layer, ActivationCodes input, IntegerWeights weights, long[] bias, int accumulatorBits, long min, long max)
    {
        input.Validate($"integer layer '{layer.Name}'");
        if (min < input.MinCode || max > input.MaxCode)
            throw new MixQException($"integer layer '{layer.Name}': its input ranges over [{min}, {max}], outside its {input} codes [{input.MinCode}, {input.MaxCode}] (a requantization is missing)");
        if (bias.Length != weights.Rows) throw new MixQException($"integer layer '{layer.Name}': {bias.Length} biases for {weights.Rows} rows");
        var (lo, hi) = AccumulatorRange(weights, bias, input, 1);
        int needed = BitsFor(lo, hi);
        if (accumulatorBits < needed || accumulatorBits > 64)
            throw new MixQException($"integer layer '{layer.Name}': declares {accumulatorBits}-bit accumulators, needs {needed} (at most 64)");
    }

    /// <summary>The accumulator range over every input within the code range, as [-B, B] with B = max_r (max|code| Σ|v| + |bias|).</summary>
    internal static (long Min, long Max) AccumulatorRange(IntegerWeights weights, long[] bias, ActivationCodes input, long inputScale)
    {
        Int128 bound = 0;
        for (int r = 0; r < weights.Rows; r++)
        {
            Int128 b = (Int128)weights.RowAbsSum(r) * input.MaxCode * inputScale + Int128.Abs(bias[r]);
            if (b > bound) bound = b;
        }
        if (bound >= Int128.One << 62) throw new MixQException($"integer model: an accumulator bound of {bound} does not fit 63 bits");
        return (-(long)bound, (long)bound);
    }

    /// <summary>Two's-complement bits (sign included) that hold every integer in [lo, hi].</summary>
    public static int BitsFor(long lo, long hi)
    {
        int bits = 1;
        while (bits < 64 && (lo < -(1L << (bits - 1)) || hi > (1L << (bits - 1)) - 1)) bits++;
        return bits;
    }

    private static long SaturatingMultiply(long value, long count, IntLayer layer)
    {
        Int128 p = (Int128)value * count;
        if (p >= Int128.One << 62 || p <= -(Int128.One << 62)) throw new MixQException($"integer layer '{layer.Name}': a sum of {count} values may overflow 63 bits");
        return (long)p;
    }
}
