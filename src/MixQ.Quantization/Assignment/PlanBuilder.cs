using MixQ.NN.Modules;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using MixQ.Tensors;

namespace MixQ.Quantization.Assignment;

/// <summary>
/// Builds a <see cref="QuantizationPlan"/>: every Linear and Conv2d of a model, in model order, gets one format
/// per row. The first and last layers take the edge policy's format when it sets one; every other layer follows
/// the mix with its exact row counts, rows assigned by the chosen rule.
/// </summary>
public static class PlanBuilder
{
    /// <summary>
    /// The plan for <paramref name="model"/>. <paramref name="calibrationLoss"/> (e.g.
    /// <see cref="CalibrationLoss.CrossEntropy"/>) is required by the Hessian rule with a multi-precision mix: the
    /// model is switched to
    /// evaluation mode while it runs (dropout would make the finite differences meaningless), and its weights,
    /// gradients and train/eval modes are restored afterwards.
    /// </summary>
    public static QuantizationPlan Build(Module model, PlanOptions options, Func<Tensor>? calibrationLoss = null)
    {
        var layers = QuantTarget.Find(model);
        if (layers.Count == 0) throw new MixQException($"{(options.ModelName is null ? "the model" : $"model {options.ModelName}")} has no Linear or Conv2d layer to quantize");
        if (options.ActivationBits is < NumberFormat.MinBits or > NumberFormat.MaxBits)
            throw new MixQException($"activation bits must be between {NumberFormat.MinBits} and {NumberFormat.MaxBits}, got {options.ActivationBits}");
        var mixed = layers.Where(l => options.Edges.FormatFor(l.Role) is null).ToArray();

        Dictionary<string, double[]>? traces = null;
        // With a single bit width the Hessian rule is the error rule (HessianAssignment), so skip the estimate.
        if (options.Rule == AssignmentRule.Hessian && options.Mix.IsMultiPrecision && mixed.Length > 0)
        {
            if (calibrationLoss is null) throw new MixQException("the hessian assignment rule needs a calibration batch");
            options.Hessian.Validate();
            var estimates = WithModelRestored(model, () => HutchinsonEstimator.RowTraces(
                mixed.Select(l => l.Weight).ToArray(), calibrationLoss, options.Hessian.Probes, options.Hessian.Epsilon, options.Seed));
            traces = mixed.Select((l, i) => (l.Name, estimates[i])).ToDictionary(p => p.Name, p => p.Item2);
        }

        var plans = new LayerPlan[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var fixedFormat = options.Edges.FormatFor(layer.Role);
            var formats = fixedFormat is not null
                ? Enumerable.Repeat(fixedFormat, layer.Rows).ToArray()
                : RowAssigner.Assign(layer.Weight.Detach(), options.Mix, options.Rule, RandomAssignment.DeriveSeed(options.Seed, i),
                    traces?[layer.Name]);
            plans[i] = new LayerPlan(layer.Name, layer.Kind, layer.RowLength, formats, layer.Role);
        }
        return new QuantizationPlan(options.Method, options.ModelName, options.Mix, options.Rule, options.Seed,
            options.ActivationBits, options.Edges, plans);
    }

    /// <summary>Runs <paramref name="work"/> in evaluation mode and puts back every module's mode and every parameter's gradient.</summary>
    private static T WithModelRestored<T>(Module model, Func<T> work)
    {
        var modes = model.NamedModules().Select(m => (m.Module, m.Module.Training)).ToArray();
        var grads = model.NamedParameters().Select(p => (p.Tensor, p.Tensor.Grad)).ToArray();
        model.Eval();
        try
        {
            return work();
        }
        finally
        {
            // NamedModules lists parents before children and Train() recurses, so replaying in order restores each one.
            foreach (var (module, training) in modes) module.Train(training);
            foreach (var (tensor, grad) in grads) tensor.Grad = grad;
        }
    }
}
