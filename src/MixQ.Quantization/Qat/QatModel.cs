using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Quantization.Plans;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Qat;

/// <summary>
/// Turns a float model into a fake-quantized one following a plan: every Linear/Conv2d gets a row-wise weight
/// quantizer (each row its own format and scale) and an input quantizer (fixed-point with a PACT clipping
/// threshold). Input signedness and clipping thresholds are calibrated on training batches.
/// Design choice: the first layer's input (the normalized image or features) is quantized to 8 bits, every other
/// layer's input to the plan's activation bits.
/// </summary>
public static class QatModel
{
    public const int FirstLayerInputBits = 8;

    /// <summary>Calibration percentile of |activation| for the initial clipping threshold (robust to outliers).</summary>
    public const double ClipPercentile = 99.99;

    public static QuantDescription Attach(Module model, QuantizationPlan plan, string method, bool learnScales,
        IReadOnlyList<Tensor> calibrationInputs)
    {
        plan.Validate(model);
        var layers = Layers(model);
        // Pass 1: can each layer's input be negative? (After ReLU it cannot: unsigned codes then buy one more bit.)
        var minimum = new float[layers.Count];
        Array.Fill(minimum, float.PositiveInfinity);
        for (int i = 0; i < layers.Count; i++)
        {
            int index = i;
            layers[i].Layer.InputProbe = t =>
            {
                var span = t.Contiguous().Span;
                if (span.Length > 0) minimum[index] = Math.Min(minimum[index], TensorPrimitives.Min(span));
            };
        }
        RunCalibration(model, calibrationInputs);
        foreach (var (_, layer) in layers) layer.InputProbe = null;

        var description = new List<QuantLayerDescription>();
        for (int i = 0; i < layers.Count; i++)
        {
            var (name, _) = layers[i];
            int bits = i == 0 ? FirstLayerInputBits : plan.ActivationBits;
            description.Add(new QuantLayerDescription(name, bits, minimum[i] < 0));
        }
        var result = new QuantDescription(method, learnScales, description);
        Rebuild(model, plan, result);

        // Pass 2: clipping thresholds from the observed ranges, with the weights already quantized.
        var quantizers = layers.Select(l => (ActivationQuantizer)l.Layer.InputQuantizer!).ToList();
        foreach (var q in quantizers) q.BeginCalibration();
        RunCalibration(model, calibrationInputs);
        foreach (var q in quantizers) q.EndCalibration();
        return result;
    }

    /// <summary>Attaches quantizers as <paramref name="description"/> says (values are then loaded from a checkpoint).</summary>
    public static void Rebuild(Module model, QuantizationPlan plan, QuantDescription description)
    {
        plan.Validate(model);
        var layers = Layers(model);
        if (layers.Count != description.Layers.Count)
            throw new MixQException($"quantization description has {description.Layers.Count} layers, the model {layers.Count}");
        for (int i = 0; i < layers.Count; i++)
        {
            var (name, layer) = layers[i];
            var d = description.Layers[i];
            if (d.Name != name) throw new MixQException($"quantization description names layer {i} '{d.Name}', the model '{name}'");
            var formats = plan[name].RowFormats;
            // LSQ's gradient scale (Esser et al. 2020): 1 / sqrt(weights per scale * Qp) keeps scale steps in
            // proportion to weight steps; Qp for 4-bit fixed is 7.
            float factor = 1f / MathF.Sqrt(layer.RowLength * 7f);
            var weightQuantizer = new RowWiseWeightQuantizer(layer.Weight, formats, description.LearnScales, factor);
            var inputQuantizer = new ActivationQuantizer(new ActivationQuantConfig
            {
                Bits = d.InputBits,
                Signed = d.InputSigned,
                Mode = ClipMode.Learned,
                Percentile = ClipPercentile,
            });
            layer.AttachQuantizers(weightQuantizer, inputQuantizer);
        }
    }

    /// <summary>
    /// Applies a re-run row assignment to the quantizers: rows whose format changes restart from their MSE-optimal
    /// scale, the others keep their learned scale (<see cref="RowWiseWeightQuantizer.Reassign"/>). Returns, per layer
    /// whose scales are learned and had rows change format, the scale tensor and those rows.
    /// </summary>
    public static IReadOnlyList<(Tensor Scale, int[] Rows)> Reassign(Module model, QuantizationPlan plan)
    {
        var restarted = new List<(Tensor, int[])>();
        foreach (var (name, layer) in Layers(model))
        {
            var quantizer = (RowWiseWeightQuantizer)layer.WeightQuantizer!;
            var rows = quantizer.Reassign(layer.Weight, plan[name].RowFormats);
            if (rows.Length > 0 && quantizer.Scale.RequiresGrad) restarted.Add((quantizer.Scale, rows));
        }
        return restarted;
    }

    public static IReadOnlyList<(string Name, QuantizableLayer Layer)> Layers(Module model) =>
        model.NamedModules().Where(m => m.Module is QuantizableLayer).Select(m => (m.Name, (QuantizableLayer)m.Module)).ToList();

    private static void RunCalibration(Module model, IReadOnlyList<Tensor> inputs)
    {
        bool training = model.Training;
        model.Eval();
        using (GradMode.NoGrad())
        using (var recycler = Graph.BatchRecycler())
        {
            foreach (var x in inputs)
            {
                using var window = recycler.Batch(); // observers keep histograms, not tensors
                model.Forward(x);
            }
        }
        model.Train(training);
    }
}
