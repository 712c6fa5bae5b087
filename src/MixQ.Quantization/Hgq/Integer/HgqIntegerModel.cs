using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.Quantization.Hgq.Integer;

/// <summary>
/// An HGQ model as integer arithmetic only: float inputs are written exactly as integers
/// (<see cref="FixedTensor.FromFloats"/>), every layer quantizes its input with shifts
/// (<see cref="FixedPoint.Requantize"/>), multiplies integer codes and accumulates in int64; ReLU, max pooling and
/// flatten act on codes. Outputs are exact fixed-point numbers. Built from a calibrated model whose biases were
/// snapped (<see cref="HgqModel.SnapBiases"/>); in evaluation mode that model's float forward computes the same
/// numbers (see docs/hgq.md for why float32 is exact there and <see cref="HgqIntegerCounters.Float32Risks"/>).
/// </summary>
public sealed class HgqIntegerModel
{
    private HgqIntegerModel(IReadOnlyList<HgqIntegerStage> stages, int[] inputShape)
    {
        Stages = stages;
        InputShape = inputShape;
    }

    public IReadOnlyList<HgqIntegerStage> Stages { get; }

    /// <summary>Shape of one input sample.</summary>
    public int[] InputShape { get; }

    /// <summary>Reads the integer model out of a float model with HGQ quantizers attached (any training state).</summary>
    public static HgqIntegerModel FromModel(Module model, int[] inputShape)
    {
        var stages = new List<HgqIntegerStage>();
        Collect(model, stages);
        return new HgqIntegerModel(stages, (int[])inputShape.Clone());
    }

    /// <summary>Evaluates one sample.</summary>
    public FixedTensor Run(ReadOnlySpan<float> sample, HgqIntegerCounters counters)
    {
        var x = FixedTensor.FromFloats(sample, InputShape);
        foreach (var stage in Stages) x = stage.Apply(x, counters);
        return x;
    }

    /// <summary>Evaluates a batch [N, ...] in parallel over samples; returns each sample's output.</summary>
    public FixedTensor[] Run(Tensor inputs, HgqIntegerCounters counters)
    {
        var x = inputs.Contiguous();
        int n = x.Dim(0), size = x.Size / Math.Max(1, n);
        if (size != ShapeUtil.Size(InputShape))
            throw new MixQException($"integer model expects samples of shape {ShapeUtil.Format(InputShape)}, got {ShapeUtil.Format(x.Shape)}");
        var outputs = new FixedTensor[n];
        var perSample = new HgqIntegerCounters[n];
        float[] data = x.Storage;
        int offset = x.Offset;
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            perSample[i] = new HgqIntegerCounters();
            outputs[i] = Run(data.AsSpan(offset + i * size, size), perSample[i]);
        });
        foreach (var c in perSample) counters.Add(c);
        return outputs;
    }

    private static void Collect(Module module, List<HgqIntegerStage> stages)
    {
        switch (module)
        {
            case Sequential sequential:
                foreach (var child in sequential.Layers) Collect(child, stages);
                break;
            case Flatten flatten when flatten.StartAxis == 1:
                stages.Add(new HgqIntegerFlatten());
                break;
            case ReLU:
                stages.Add(new HgqIntegerRelu());
                break;
            case MaxPool2d pool:
                stages.Add(new HgqIntegerMaxPool2d(pool.KernelSize, pool.Stride, pool.Padding));
                break;
            case Dropout or Identity:
                break; // identity at inference
            case QuantizableLayer layer when layer.WeightQuantizer is HgqQuantizer w && layer.InputQuantizer is HgqQuantizer a:
                stages.Add(Layer(new HgqLayer("", layer, w, a)));
                break;
            default:
                throw new MixQException($"integer evaluation of HGQ models supports Linear, Conv2d (with HGQ quantizers), ReLU, MaxPool2d, Flatten and Dropout; got {module.GetType().Name}");
        }
    }

    private static HgqIntegerStage Layer(HgqLayer layer)
    {
        var groupFormats = layer.Input.Formats();
        var inputFormats = new FixedPointFormat[layer.Input.ElementSize];
        for (int e = 0; e < inputFormats.Length; e++) inputFormats[e] = groupFormats[e / layer.Input.GroupSpan];
        var input = new HgqActivationFormat(inputFormats, layer.Input.Config.Rounding, layer.Input.Config.Overflow);

        var weight = layer.Layer.Weight;
        var codes = layer.Weight.WeightCodes(weight);
        var weightFormats = layer.Weight.Formats(weight);
        var weightFrac = new int[codes.Length];
        for (int e = 0; e < codes.Length; e++) weightFrac[e] = weightFormats[e / layer.Weight.GroupSpan].FractionalBits;

        var accumulator = HgqModel.AccumulatorFractionalBits(layer);
        var bias = new long[layer.Layer.Rows];
        if (layer.Layer.Bias is { } b)
        {
            var values = b.Contiguous().Span;
            for (int r = 0; r < bias.Length; r++)
            {
                double code = Math.ScaleB((double)values[r], accumulator[r]);
                if (code != Math.Floor(code))
                    throw new MixQException($"bias {r} ({values[r]}) is not on its accumulator grid 2^-{accumulator[r]}: snap biases before integer evaluation");
                bias[r] = (long)code;
            }
        }
        return layer.Layer switch
        {
            Linear linear => new HgqIntegerDense(input, linear.OutFeatures, linear.InFeatures, codes, weightFrac, bias, accumulator),
            Conv2d conv => new HgqIntegerConv2d(input, layer.Input.ElementShape.ToArray(), conv.OutChannels, conv.KernelSize,
                conv.Stride, conv.Padding, conv.Groups, codes, weightFrac, bias, accumulator),
            _ => throw new MixQException($"integer evaluation does not support {layer.Layer.GetType().Name}"),
        };
    }
}
