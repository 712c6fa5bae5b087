using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// Puts HGQ quantizers on every Linear and Conv2d of a model (through <see cref="QuantizableLayer.AttachQuantizers"/>)
/// and finds them again; calibrates activation ranges; snaps biases onto their accumulator grid.
/// </summary>
public static class HgqModel
{
    /// <summary>
    /// Attaches a weight and an input quantizer to every Linear and Conv2d. Input shapes come from one forward pass
    /// over <paramref name="sample"/> (a batch of model inputs). Linear layers must see 2-D inputs [batch, features].
    /// </summary>
    public static IReadOnlyList<HgqLayer> Attach(Module model, HgqQuantizerConfig weights, HgqQuantizerConfig activations, Tensor sample)
    {
        var shapes = InputShapes(model, sample);
        var description = new HgqDescription(weights, activations, shapes);
        return Rebuild(model, description);
    }

    /// <summary>Attaches quantizers as <paramref name="description"/> says (before a saved state is loaded).</summary>
    public static IReadOnlyList<HgqLayer> Rebuild(Module model, HgqDescription description)
    {
        var targets = Targets(model);
        if (targets.Count == 0) throw new MixQException("HGQ needs a model with Linear or Conv2d layers");
        foreach (var (name, layer) in targets)
        {
            if (!description.InputShapes.TryGetValue(name, out var shape))
                throw new MixQException($"HGQ description has no input shape for layer '{name}'");
            if (layer is Linear && shape.Length != 1)
                throw new MixQException($"HGQ supports Linear layers on [batch, features] inputs; '{name}' sees {ShapeUtil.Format(shape)} per sample");
            if (layer is Conv2d && shape.Length != 3)
                throw new MixQException($"HGQ Conv2d layer '{name}' needs [channels, height, width] inputs, got {ShapeUtil.Format(shape)}");
            layer.AttachQuantizers(new HgqQuantizer(HgqRole.Weight, layer.Weight.ShapeArray(), description.Weights),
                new HgqQuantizer(HgqRole.Activation, shape, description.Activations));
        }
        return Layers(model);
    }

    /// <summary>The model's HGQ layers in module order.</summary>
    public static IReadOnlyList<HgqLayer> Layers(Module model) =>
        model.NamedModules()
            .Where(m => m.Module is QuantizableLayer { WeightQuantizer: HgqQuantizer, InputQuantizer: HgqQuantizer })
            .Select(m =>
            {
                var layer = (QuantizableLayer)m.Module;
                return new HgqLayer(m.Name, layer, (HgqQuantizer)layer.WeightQuantizer!, (HgqQuantizer)layer.InputQuantizer!);
            })
            .ToList();

    /// <summary>Records fresh activation ranges from <paramref name="batches"/> (inference mode, no graph).</summary>
    public static void Calibrate(Module model, IEnumerable<Tensor> batches)
    {
        var layers = Layers(model);
        bool wasTraining = model.Training;
        model.Eval();
        foreach (var l in layers) l.Input.BeginCalibration();
        try
        {
            using var _ = GradMode.NoGrad();
            using var recycler = Graph.BatchRecycler();
            foreach (var batch in batches)
            {
                using var window = recycler.Batch(); // ranges are kept as numbers: the activations can go
                model.Forward(batch);
            }
        }
        finally
        {
            foreach (var l in layers) l.Input.EndCalibration();
            model.Train(wasTraining);
        }
    }

    /// <summary>Forgets every recorded activation range (the next training batch starts them afresh).</summary>
    public static void ResetRanges(Module model)
    {
        foreach (var l in Layers(model)) l.Input.ResetRanges();
    }

    /// <summary>
    /// Fractional bits of each output's accumulator: the largest f of any input plus the largest f of the row's
    /// weights, so every product is a whole number of accumulator steps.
    /// </summary>
    public static int[] AccumulatorFractionalBits(HgqLayer layer)
    {
        int input = layer.Input.Formats().Max(f => f.FractionalBits);
        var weightFormats = layer.Weight.Formats(layer.Layer.Weight);
        int rows = layer.Layer.Rows, perRow = layer.Layer.RowLength;
        var result = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int best = int.MinValue;
            for (int j = 0; j < perRow; j++) best = Math.Max(best, weightFormats[(r * perRow + j) / layer.Weight.GroupSpan].FractionalBits);
            result[r] = input + best;
        }
        return result;
    }

    /// <summary>
    /// Rounds every bias (half up) onto its output's accumulator grid 2^-E, in place, so the float forward adds a
    /// fixed-point bias exactly as the integer evaluator does. Returns E per layer (bias codes are bias 2^E).
    /// </summary>
    public static IReadOnlyList<int[]> SnapBiases(Module model)
    {
        var result = new List<int[]>();
        foreach (var layer in Layers(model))
        {
            var e = AccumulatorFractionalBits(layer);
            result.Add(e);
            if (layer.Layer.Bias is not { } bias) continue;
            var b = bias.Span;
            for (int r = 0; r < b.Length; r++)
            {
                var format = new FixedPointFormat(true, 30 - e[r], e[r]);
                long code = FixedPoint.Code(b[r], format, RoundingMode.RoundHalfUp, OverflowMode.Saturate);
                b[r] = (float)Math.ScaleB((double)code, -e[r]);
            }
        }
        return result;
    }

    /// <summary>Sum of every quantizer's element bits (differentiable; the gamma term of the loss).</summary>
    public static Tensor TotalBits(IReadOnlyList<HgqLayer> layers)
    {
        Tensor? total = null;
        foreach (var l in layers)
        {
            var part = Ops.Add(Ops.Sum(l.Weight.ElementBits(l.Layer.Weight)), Ops.Sum(l.Input.ElementBits()));
            total = total is null ? part : Ops.Add(total, part);
        }
        return total ?? Tensor.Scalar(0f);
    }

    private static List<(string Name, QuantizableLayer Layer)> Targets(Module model)
    {
        var targets = new List<(string, QuantizableLayer)>();
        foreach (var (name, module) in model.NamedModules())
        {
            if (module is not QuantizableLayer layer) continue;
            if (layer is not (Linear or Conv2d))
                throw new MixQException($"HGQ supports Linear and Conv2d layers, not {layer.GetType().Name} ('{name}')");
            targets.Add((name, layer));
        }
        return targets;
    }

    private static Dictionary<string, int[]> InputShapes(Module model, Tensor sample)
    {
        var targets = Targets(model);
        var shapes = new Dictionary<string, int[]>();
        foreach (var (name, layer) in targets) layer.InputProbe = x => shapes[name] = x.ShapeArray()[1..];
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            model.Forward(sample);
        }
        finally
        {
            foreach (var (_, layer) in targets) layer.InputProbe = null;
            model.Train(wasTraining);
        }
        foreach (var (name, _) in targets)
            if (!shapes.ContainsKey(name)) throw new MixQException($"layer '{name}' was not reached by the forward pass");
        return shapes;
    }
}
