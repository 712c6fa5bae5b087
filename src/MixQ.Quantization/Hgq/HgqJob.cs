using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MixQ.NN.Checkpoints;
using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Training;
using MixQ.Quantization.Hgq.Integer;
using MixQ.Quantization.Qat;
using MixQ.Tensors;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// From a float checkpoint to an HGQ Pareto front: fold BatchNorm, attach HGQ quantizers to every Linear and
/// Conv2d, calibrate, then train weights and bit widths together under task + beta EBOPs + gamma bits. Every epoch
/// ends with calibration on training data and a test evaluation; a checkpoint that joins the (accuracy, EBOPs)
/// Pareto front is saved under pareto/ and ones it pushes off are deleted, so the folder holds exactly the front.
/// At the end the front is written as CSV, JSON and SVG and the final model is checked against its integer twin.
/// </summary>
public sealed class HgqJob(HgqOptions options, ITrainingObserver? observer = null)
{
    public const string DescriptionKey = "hgq.description";
    public const string PointKey = "hgq.point";
    public const string ParetoFolder = "pareto";
    public const string FinalFileName = "hgq-final.safetensors";

    private readonly ITrainingObserver _observer = observer ?? SilentObserver.Instance;

    public HgqResult Run(string floatCheckpoint, string data, string? outDir)
    {
        var clock = Stopwatch.StartNew();
        options.Validate();
        var start = FloatStart.Load(floatCheckpoint, data, options.Seed, options.LimitTrainSamples, options.LimitTestSamples, _observer);
        var (spec, model, train, test, floatAccuracy) = start;
        var calibration = start.CalibrationBatches(options.BatchSize, options.CalibrationBatches, options.Seed).Select(c => c.Inputs).ToList();
        var layers = HgqModel.Attach(model, options.Weights, options.Activations, calibration[0]);
        var description = new HgqDescription(options.Weights, options.Activations,
            layers.ToDictionary(l => l.Name, l => l.Input.ElementShape.ToArray()));
        string? paretoDir = outDir is null ? null : Path.Combine(outDir, ParetoFolder);
        if (paretoDir is not null) ClearFolder(paretoDir);
        var tracker = new ParetoTracker(model, spec, description, paretoDir, _observer);
        var extension = new HgqTrainingExtension(model, options, calibration)
        {
            OnEvaluated = (report, beta) => tracker.Record(report.Epoch, beta, report.TestAccuracy),
        };
        extension.BeforeEvaluation(0);
        tracker.Record(0, extension.Beta, Evaluator.Evaluate(model, test).Accuracy);

        var config = start.FineTuning(data, options.Epochs, options.BatchSize, options.LearningRate, options.Seed);
        var result = new Trainer(config, _observer, extension).Run(model, spec, train, test);

        var finalLayers = HgqLayerReport.Of(HgqModel.Layers(model));
        long finalEbops = finalLayers.Sum(l => l.Ebops);
        BitExactnessReport? exactness = null;
        if (options.VerifyInteger)
        {
            exactness = HgqBitExactness.Check(model, test);
            _observer.OnInfo($"integer evaluation: {exactness.MismatchedOutputs} of {exactness.Samples} samples' outputs differ from the float forward " +
                             $"({exactness.MismatchedSamples} samples); integer accuracy {exactness.IntegerAccuracy:P2}; float32 risks {exactness.Counters.Float32Risks}");
        }

        string? finalPath = null;
        if (outDir is not null)
        {
            finalPath = Path.Combine(outDir, FinalFileName);
            Save(finalPath, model, spec, description, new ParetoPoint(options.Epochs, extension.Beta, result.TestAccuracy, finalEbops,
                PrunedFraction(finalLayers), null));
            ParetoFiles.Write(outDir, tracker.Front.Points, tracker.Evaluated, $"HGQ {spec.Name} on {data}: test accuracy vs EBOPs");
        }
        return new HgqResult(floatAccuracy, result.TestAccuracy, finalEbops, finalLayers, tracker.Front.Points, tracker.Evaluated,
            exactness, result.Epochs, clock.Elapsed.TotalSeconds, result.SamplesPerSecond, finalPath);
    }

    public static bool IsHgq(string path) => SafeTensors.Read(path).Metadata.ContainsKey(DescriptionKey);

    /// <summary>Rebuilds a model saved by <see cref="Run"/> (a Pareto checkpoint or the final one).</summary>
    public static (Module Model, ModelSpec Spec) Load(string path)
    {
        if (!File.Exists(path)) throw new MixQException($"checkpoint {path} does not exist");
        var file = SafeTensors.Read(path);
        if (!file.Metadata.TryGetValue(DescriptionKey, out var json))
            throw new MixQException($"checkpoint {path} is not an HGQ model (no '{DescriptionKey}' metadata)");
        var spec = ModelZoo.ReadSpec(path);
        var model = ModelZoo.Create(spec, new Random(0));
        model.Eval();
        BatchNormFolding.FoldAll(model);
        HgqModel.Rebuild(model, HgqDescription.FromJson(json, path));
        Checkpoint.Load(path, model);
        return (model, spec);
    }

    internal static double PrunedFraction(IReadOnlyList<HgqLayerReport> layers)
    {
        long weights = layers.Sum(l => (long)l.Weights);
        return weights == 0 ? 0 : (double)layers.Sum(l => (long)l.PrunedWeights) / weights;
    }

    private static void Save(string path, Module model, ModelSpec spec, HgqDescription description, ParetoPoint point)
    {
        Checkpoint.Save(path, model, new CheckpointMetadata
        {
            ModelDescription = spec.ToJson(),
            Extra = new Dictionary<string, string>
            {
                [DescriptionKey] = description.ToJson(),
                [PointKey] = JsonSerializer.Serialize(point),
            },
        });
    }

    /// <summary>Removes checkpoints of an earlier run so the folder holds only this run's front.</summary>
    private static void ClearFolder(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(dir, "*.safetensors")) File.Delete(file);
    }

    /// <summary>Measures each evaluated model, keeps the front, saves and deletes checkpoints accordingly.</summary>
    private sealed class ParetoTracker(Module model, ModelSpec spec, HgqDescription description, string? dir, ITrainingObserver observer)
    {
        private readonly List<ParetoPoint> _evaluated = [];
        public ParetoFront Front { get; } = new();
        public IReadOnlyList<ParetoPoint> Evaluated => _evaluated;

        public void Record(int epoch, double beta, double accuracy)
        {
            var layers = HgqLayerReport.Of(HgqModel.Layers(model));
            long ebops = layers.Sum(l => l.Ebops);
            double pruned = PrunedFraction(layers);
            string? path = dir is null ? null : Path.Combine(dir, $"epoch-{epoch:D3}.safetensors");
            var point = new ParetoPoint(epoch, beta, accuracy, ebops, pruned, path);
            _evaluated.Add(point with { Checkpoint = null });
            var (joined, removed) = Front.Offer(point);
            if (joined && path is not null) Save(path, model, spec, description, point);
            foreach (var old in removed)
                if (old.Checkpoint is not null && File.Exists(old.Checkpoint)) File.Delete(old.Checkpoint);
            string perLayer = string.Join(", ", layers.Select(l => $"{l.Name} {l.Ebops}"));
            observer.OnInfo(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}: test accuracy {accuracy:P2}, EBOPs {ebops} ({perLayer}), pruned {pruned:P1}, beta {beta:G3}{(joined ? ", on the Pareto front" : "")}"));
        }
    }
}
