using System.Diagnostics;
using MixQ.NN.Checkpoints;
using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Training;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using MixQ.Tensors;

namespace MixQ.Quantization.Qat;

/// <summary>
/// From a float checkpoint to a quantized one: fold BatchNorm, plan the row formats, attach fake quantizers,
/// calibrate, fine-tune with the straight-through estimator, evaluate, save. BatchNorm is folded into the
/// preceding layer (with the float model's running statistics) before anything is quantized, so the quantized
/// weights are the ones the hardware holds; fine-tuning then trains the folded weights directly.
/// </summary>
public sealed class QuantizeJob(QuantizeOptions options, ITrainingObserver? observer = null)
{
    public const string DescriptionKey = "quant.description";
    public const string PlanKey = "quant.plan";
    public const string QuantizedFileName = "quantized.safetensors";
    public const string PlanFileName = "plan.json";

    private readonly ITrainingObserver _observer = observer ?? SilentObserver.Instance;

    public QuantizeResult Run(string floatCheckpoint, string data, string? outDir)
    {
        var clock = Stopwatch.StartNew();
        var (mix, rule) = Resolve(options);
        var edges = new EdgeLayerPolicy(EdgeLayerPolicy.ParseFormat(options.EdgeFormat, "--first-last"),
            EdgeLayerPolicy.ParseFormat(options.EdgeFormat, "--first-last"));
        if (options.Epochs < 0) throw new MixQException($"--epochs must not be negative, got {options.Epochs}");
        if (options.ReassignEvery < 0) throw new MixQException($"--reassign-every must not be negative, got {options.ReassignEvery}");
        if (options.CalibrationBatches < 1) throw new MixQException($"--calibration-batches must be at least 1, got {options.CalibrationBatches}");

        var start = FloatStart.Load(floatCheckpoint, data, options.Seed, options.LimitTrainSamples, options.LimitTestSamples, _observer);
        var (spec, model, train, test, floatAccuracy) = start;
        var calibration = start.CalibrationBatches(options.BatchSize, options.CalibrationBatches, options.Seed);
        var planOptions = new PlanOptions
        {
            Method = options.Method, Mix = mix, Rule = rule, Edges = edges, ActivationBits = options.ActivationBits,
            Seed = options.Seed, ModelName = spec.Name,
        };
        var (calibrationInputs, calibrationLabels) = calibration[0];
        Func<Tensor> loss = CalibrationLoss.CrossEntropy(model, calibrationInputs, calibrationLabels);
        var plan = PlanBuilder.Build(model, planOptions, loss);
        _observer.OnInfo($"plan: {options.Method}, mix {mix}, rule {AssignmentRules.Name(rule)}, " +
                         $"average weight bits {PlanSummary.Of(plan).Total.AverageBits:F3}");

        var description = QatModel.Attach(model, plan, options.Method, options.LearnScales, calibration.Select(c => c.Inputs).ToList());
        double ptqAccuracy = Evaluator.Evaluate(model, test).Accuracy;
        _observer.OnInfo($"after calibration (no fine-tuning): test accuracy {ptqAccuracy:P2}");

        IReadOnlyList<EpochReport> epochs = [];
        double accuracy = ptqAccuracy, samplesPerSecond = 0;
        if (options.Epochs > 0)
        {
            var config = start.FineTuning(data, options.Epochs, options.BatchSize, options.LearningRate, options.Seed);
            var reassignment = new RowReassignment(model, options.ReassignEvery, options.Epochs,
                () => PlanBuilder.Build(model, planOptions, loss),
                reassigned =>
                {
                    plan = reassigned;
                    _observer.OnInfo("re-assigned row formats");
                });
            var result = new Trainer(config, _observer, reassignment).Run(model, spec, train, test);
            epochs = result.Epochs;
            accuracy = result.TestAccuracy;
            samplesPerSecond = result.SamplesPerSecond;
        }

        string? path = null;
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            path = Path.Combine(outDir, QuantizedFileName);
            Checkpoint.Save(path, model, new CheckpointMetadata
            {
                ModelDescription = spec.ToJson(),
                Extra = new Dictionary<string, string> { [DescriptionKey] = description.ToJson(), [PlanKey] = plan.ToJson() },
            });
            plan.Save(Path.Combine(outDir, PlanFileName));
        }
        return new QuantizeResult(options.Method, plan, floatAccuracy, ptqAccuracy, accuracy,
            PlanSummary.Of(plan).Total.AverageBits, epochs, clock.Elapsed.TotalSeconds, samplesPerSecond, path);
    }

    /// <summary>Rebuilds a model saved by <see cref="Run"/>: float architecture, folded, quantizers attached, values loaded.</summary>
    public static (Module Model, ModelSpec Spec, QuantizationPlan Plan) LoadQuantized(string path)
    {
        var file = SafeTensors.Read(path);
        if (!file.Metadata.TryGetValue(DescriptionKey, out var descriptionJson) || !file.Metadata.TryGetValue(PlanKey, out var planJson))
            throw new MixQException($"checkpoint {path} is not a quantized model (no '{DescriptionKey}' metadata)");
        var spec = ModelZoo.ReadSpec(path);
        var model = ModelZoo.Create(spec, new Random(0));
        model.Eval();
        BatchNormFolding.FoldAll(model);
        var plan = QuantizationPlan.FromJson(planJson, path);
        QatModel.Rebuild(model, plan, QuantDescription.FromJson(descriptionJson, path));
        Checkpoint.Load(path, model);
        return (model, spec, plan);
    }

    public static bool IsQuantized(string path) => SafeTensors.Read(path).Metadata.ContainsKey(DescriptionKey);

    /// <summary>The mix and rule a method stands for (methods.md §2-3), overridden by --ratio / --rule.</summary>
    public static (MixSpec Mix, AssignmentRule Rule) Resolve(QuantizeOptions o)
    {
        string method = o.Method.ToLowerInvariant();
        if (o.WeightBits is < NumberFormat.MinBits or > NumberFormat.MaxBits)
            throw new MixQException($"--wbits must be between {NumberFormat.MinBits} and {NumberFormat.MaxBits}, got {o.WeightBits}");
        MixSpec mix = method switch
        {
            "fixed" or "pot" or "sp2" when o.Ratio is null =>
                MixSpec.Single(NumberFormat.Parse($"{method}-{o.WeightBits}", "--method/--wbits")),
            "fixed" or "pot" or "sp2" or "msq" or "rmsmp" or "ilmpq" =>
                o.Ratio is null ? MixPresets.For(method) : MixSpec.Parse(o.Ratio, "--ratio"),
            _ => throw new MixQException($"unknown method '{o.Method}' (expected fixed, pot, sp2, msq, rmsmp, ilmpq or hgq)"),
        };
        var rule = o.Rule ?? (method is "rmsmp" or "ilmpq" ? AssignmentRule.Hessian : AssignmentRule.Error);
        return (mix, rule);
    }
}
