using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Qat;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Turns a fake-quantized model (BatchNorm folded, quantizers attached, as <see cref="QuantizeJob.LoadQuantized"/>
/// returns it) into an <see cref="IntegerModel"/>.
/// <list type="bullet">
/// <item>Weights: each row's code is the very level the fake quantizer picks, Q(fl(w * fl(1 / alpha))); PoT/SP2 rows
/// get the frame F = the largest exponent they use (capped at <see cref="IntegerWeights.MaxFrame"/>; terms beyond
/// it are dropped and counted in <see cref="Result.DroppedTerms"/>).</item>
/// <item>A Dense/Conv2d with input step s_in and row step d_r has accumulator scale S_r = s_in * d_r; the bias
/// becomes round(b_r / S_r).</item>
/// <item>Requantization sits right after the Dense/Conv2d when only order-preserving operations (ReLU, ReLU6, max
/// pooling, flatten, identity, dropout) lead to the next quantized layer: for a non-decreasing q,
/// q(max(a, b)) = max(q(a), q(b)) and q(relu(y)) = max(q(y), 0), so pooling then runs on narrow codes and ReLU
/// folds into the clamp, with results identical to quantizing afterwards. Otherwise (global average pooling) the
/// operations run on accumulators — the average as an exact sum whose 1/(H*W) joins the multiplier — and the
/// requantization follows them.</item>
/// <item>Each requantization factor is M_r = S_r / s_next (the next layer's input step), stored as m / 2^s.
/// The last layer's outputs are requantized to one common logit scale, the finest accumulator scale of its rows,
/// so logits of different rows compare correctly.</item>
/// </list>
/// </summary>
public static class IntegerConverter
{
    /// <summary>The converted model and how many PoT/SP2 weight terms fell below the frame cap (normally 0).</summary>
    public sealed record Result(IntegerModel Model, int DroppedTerms);

    /// <summary>Loads a quantized checkpoint (written by mixq quantize; HGQ checkpoints go to <see cref="HgqIntegerConverter"/>) and converts it.</summary>
    public static Result FromCheckpoint(string path)
    {
        if (!File.Exists(path)) throw new MixQException($"checkpoint {path} does not exist");
        if (Hgq.HgqJob.IsHgq(path)) return new Result(HgqIntegerConverter.FromCheckpoint(path), 0);
        if (!QuantizeJob.IsQuantized(path)) throw new MixQException($"checkpoint {path} is not a quantized model (run mixq quantize first)");
        var (model, spec, plan) = QuantizeJob.LoadQuantized(path);
        return Convert(model, spec, plan.Method);
    }

    public static Result Convert(Module model, ModelSpec spec, string method)
    {
        var leaves = SequentialLeaves.Of(model, "integer conversion");
        int first = leaves.FindIndex(l => l.Module is QuantizableLayer);
        if (first < 0) throw new MixQException($"model {spec.Name} has no quantized Linear or Conv2d layer");

        var layers = new List<IntLayer>();
        var shape = spec.InputShape.ToArray();
        var entry = InputCodes(leaves[first]);
        var input = new InputQuantization(entry.Clip, entry.Codes).Validate();
        for (int i = 0; i < first; i++)
        {
            var (name, module) = leaves[i];
            if (module is Flatten) Emit(new IntFlatten(name));
            else if (module is not (Identity or Dropout))
                throw new MixQException($"integer conversion: layer '{name}' ({module.GetType().Name}) before the first quantized layer is not supported");
        }

        int dropped = 0;
        int index = first;
        double outputScale = 0;
        while (index < leaves.Count)
        {
            var (layerName, module) = leaves[index];
            var layer = (QuantizableLayer)module;
            var (clip, codes) = InputCodes(leaves[index]);
            double inputStep = (double)clip / codes.MaxCode;
            var (weights, droppedHere) = Weights(layer, layerName);
            dropped += droppedHere;
            int next = leaves.FindIndex(index + 1, l => l.Module is QuantizableLayer);
            int end = next < 0 ? leaves.Count : next;
            var between = Enumerable.Range(index + 1, end - index - 1).Select(k => leaves[k].Module).ToList();
            bool orderPreserving = next >= 0 && between.All(m => m is ReLU or ReLU6 or MaxPool2d or Flatten or Identity or Dropout);
            // A requantization right after this layer takes the bias at its own precision (see IntRequantize).
            bool biasInRequantize = orderPreserving || between.All(m => m is Identity or Dropout);
            var scales = new double[weights.Rows];
            var bias = new long[weights.Rows];
            var biasUnits = new double[weights.Rows];
            var floatBias = layer.Bias?.Contiguous().Span.ToArray();
            for (int r = 0; r < weights.Rows; r++)
            {
                scales[r] = inputStep * weights.RowStep(r);
                biasUnits[r] = floatBias is null ? 0 : floatBias[r] / scales[r];
                if (!(Math.Abs(biasUnits[r]) < Math.ScaleB(1.0, 62))) throw new MixQException($"integer conversion: layer '{layerName}' row {r} has a bias of {biasUnits[r]:E3} accumulator units");
                if (!biasInRequantize) bias[r] = (long)Math.Round(biasUnits[r], MidpointRounding.AwayFromZero);
            }
            double[] offsets = biasInRequantize ? biasUnits : new double[weights.Rows];
            var (lo, hi) = IntegerModel.AccumulatorRange(weights, bias, codes, 1);
            int accBits = IntegerModel.BitsFor(lo, hi);
            Emit(layer switch
            {
                Linear => new IntDense(layerName, weights, bias, codes, accBits),
                Conv2d c when c.Groups == 1 => new IntConv2d(layerName, weights, bias, codes, accBits, c.InChannels, c.KernelSize, c.Stride, c.Padding),
                Conv2d => throw new MixQException($"integer conversion: grouped convolution '{layerName}' is not supported"),
                _ => throw new MixQException($"integer conversion: layer '{layerName}' ({layer.GetType().Name}) is not supported"),
            });

            if (orderPreserving)
            {
                var (nextClip, nextCodes) = InputCodes(leaves[next]);
                double nextStep = (double)nextClip / nextCodes.MaxCode;
                long min = nextCodes.MinCode, max = nextCodes.MaxCode;
                foreach (var (_, op) in leaves.Skip(index + 1).Take(end - index - 1))
                {
                    if (op is ReLU or ReLU6) min = Math.Max(min, 0);
                    if (op is ReLU6) max = Math.Min(max, (long)UniformRounding.CodeScalar(6f, 1f / nextClip, nextCodes.MaxCode, nextCodes.MinCode, nextCodes.MaxCode));
                }
                Emit(Requantize(layerName + ".requant", scales.Select(s => s / nextStep).ToArray(), offsets, min, max));
                for (int k = index + 1; k < end; k++) EmitOrderPreserving(leaves[k]);
            }
            else
            {
                for (int k = index + 1; k < end; k++) scales = EmitOnAccumulators(leaves[k], scales);
                if (next >= 0)
                {
                    var (nextClip, nextCodes) = InputCodes(leaves[next]);
                    double nextStep = (double)nextClip / nextCodes.MaxCode;
                    Emit(Requantize(leaves[next].Name + ".input_requant", scales.Select(s => s / nextStep).ToArray(), Zeros(scales.Length, offsets), nextCodes.MinCode, nextCodes.MaxCode));
                }
                else
                {
                    outputScale = scales.Min();
                    Emit(Requantize("output", scales.Select(s => s / outputScale).ToArray(), Zeros(scales.Length, offsets), long.MinValue, long.MaxValue));
                }
            }
            index = end;
        }

        var result = new IntegerModel(spec.Name, spec.InputShape.ToArray(), spec.NumClasses, input, layers, outputScale, method);
        result.Analyze();
        return new Result(result, dropped);

        void Emit(IntLayer layer)
        {
            shape = layer.OutputShape(shape);
            layers.Add(layer);
        }

        void EmitOrderPreserving((string Name, Module Module) leaf)
        {
            switch (leaf.Module)
            {
                case MaxPool2d p: Emit(new IntMaxPool2d(leaf.Name, p.KernelSize, p.Stride, p.Padding)); break;
                case Flatten: Emit(new IntFlatten(leaf.Name)); break;
            }
        }

        double[] EmitOnAccumulators((string Name, Module Module) leaf, double[] scales)
        {
            var (name, op) = leaf;
            switch (op)
            {
                case ReLU: Emit(new IntClamp(name, 0, long.MaxValue)); return scales;
                case MaxPool2d p: Emit(new IntMaxPool2d(name, p.KernelSize, p.Stride, p.Padding)); return scales;
                case Identity or Dropout: return scales;
                case GlobalAvgPool2d:
                {
                    int count = shape[1] * shape[2];
                    Emit(new IntGlobalSumPool(name));
                    return scales.Select(s => s / count).ToArray();
                }
                case Flatten:
                {
                    int perChannel = shape.Skip(1).Aggregate(1, (a, b) => a * b);
                    Emit(new IntFlatten(name));
                    return scales.SelectMany(s => Enumerable.Repeat(s, perChannel)).ToArray();
                }
                default:
                    throw new MixQException($"integer conversion: layer '{name}' ({op.GetType().Name}) is not supported between quantized layers");
            }
        }
    }

    /// <summary>
    /// Multiplier and shift for each factor; the offset of channel c is round(biasUnits[c] * m_c), i.e. the bias
    /// (in accumulator units) at the precision of the product acc * m.
    /// </summary>
    private static IntRequantize Requantize(string name, double[] factors, double[] biasUnits, long min, long max)
    {
        var pairs = factors.Select(Requantizer.FromReal).ToArray();
        var offsets = new long[factors.Length];
        for (int c = 0; c < factors.Length; c++)
        {
            double offset = Math.Round(biasUnits[c] * pairs[c].Multiplier, MidpointRounding.AwayFromZero);
            if (!(Math.Abs(offset) < Math.ScaleB(1.0, 62))) throw new MixQException($"integer conversion: requantization '{name}' channel {c} has an offset of {offset:E3}");
            offsets[c] = (long)offset;
        }
        return new IntRequantize(name, pairs.Select(p => p.Multiplier).ToArray(), pairs.Select(p => p.Shift).ToArray(), offsets, min, max).Validate();
    }

    /// <summary>The bias offsets when the requantization directly follows the layer (same channels), else zeros.</summary>
    private static double[] Zeros(int channels, double[] offsets) => offsets.Length == channels ? offsets : new double[channels];

    private static (float Clip, ActivationCodes Codes) InputCodes((string Name, Module Module) leaf)
    {
        if (leaf.Module is not QuantizableLayer { InputQuantizer: ActivationQuantizer q })
            throw new MixQException($"integer conversion: layer '{leaf.Name}' has no input quantizer (is the checkpoint quantized?)");
        return (q.Clip.Contiguous().Span[0], new ActivationCodes(q.Config.Bits, q.Config.Signed));
    }

    /// <summary>Each weight's level exactly as <see cref="FakeQuant.RowWiseWeights(MixQ.Tensors.Tensor, IReadOnlyList{NumberFormat}, float[])"/> picks it, encoded.</summary>
    private static (IntegerWeights Weights, int Dropped) Weights(QuantizableLayer layer, string name)
    {
        if (layer.WeightQuantizer is not RowWiseWeightQuantizer q)
            throw new MixQException($"integer conversion: layer '{name}' has no row-wise weight quantizer");
        int rows = layer.Rows, length = layer.RowLength;
        var w = layer.Weight.Contiguous().Span;
        var alphas = q.Scale.Contiguous().Span.ToArray();
        var codes = new byte[rows * length];
        var frames = new int[rows];
        int dropped = 0;
        for (int r = 0; r < rows; r++)
        {
            var format = q.Formats[r];
            var set = format.Levels;
            float inv = 1f / alphas[r];
            int frame = 0;
            for (int j = 0; j < length; j++)
            {
                byte word = WeightCodec.Encode(format, set.NearestCode(w[r * length + j] * inv));
                codes[r * length + j] = word;
                frame = Math.Max(frame, WeightCodec.Exponent(format, word));
            }
            if (frame > IntegerWeights.MaxFrame)
            {
                frame = IntegerWeights.MaxFrame;
                for (int j = 0; j < length; j++) dropped += DropBeyond(format, frame, ref codes[r * length + j]);
            }
            frames[r] = format.Scheme == QuantScheme.Fixed ? 0 : frame;
        }
        return (new IntegerWeights(rows, length, q.Formats, frames, alphas, codes), dropped);
    }

    /// <summary>Removes the power-of-two terms of a word whose exponent exceeds the frame; returns how many.</summary>
    private static int DropBeyond(NumberFormat format, int frame, ref byte word)
    {
        if (WeightCodec.Exponent(format, word) <= frame) return 0;
        if (format.Scheme == QuantScheme.PowerOfTwo)
        {
            word = 0;
            return 1;
        }
        var (e1, e2) = WeightCodec.Sp2Exponents(format, word);
        int count = (e1 > frame ? 1 : 0) + (e2 > frame ? 1 : 0);
        var code = (Sp2Code)WeightCodec.Decode(format, word);
        bool zero1 = e1 == 0 || e1 > frame, zero2 = e2 == 0 || e2 > frame;
        word = WeightCodec.Encode(format, new Sp2Code(code.Negative && !(zero1 && zero2), zero1, zero1 ? 0 : e1, zero2, zero2 ? 0 : e2));
        return count;
    }
}
