using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MixQ.NN.Checkpoints;
using MixQ.NN.Data;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Optim;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.NN.Training;

/// <summary>
/// Trains a model from the zoo on a data set: seeded, deterministic data order, checkpoint after every epoch (and
/// optionally every N steps) written atomically, and exact continuation with <c>resume</c>.
/// </summary>
public sealed class Trainer
{
    public const string CheckpointFileName = "checkpoint.safetensors";
    private const string StepKey = "train.step_in_epoch";
    private const string HistoryKey = "train.history";
    private const string SecondsKey = "train.seconds";
    private const string ConfigKey = "train.config";

    private readonly TrainConfig _config;
    private readonly ITrainingObserver _observer;
    private readonly ITrainingExtension? _extension;

    public Trainer(TrainConfig config, ITrainingObserver? observer = null, ITrainingExtension? extension = null)
    {
        Validate(config);
        _config = config;
        _observer = observer ?? SilentObserver.Instance;
        _extension = extension;
    }

    public TrainResult Run(bool resume = false, CancellationToken cancel = default)
    {
        ModelZoo.CheckName(_config.Model); // fail before loading data
        var data = DataRegistry.Load(_config.Data, new DataOptions(), _observer.OnInfo);
        var train = data.Train.Limit(_config.LimitTrainSamples);
        var test = data.Test.Limit(_config.LimitTestSamples);
        var spec = ModelZoo.SpecFor(_config.Model, train);
        var model = ModelZoo.Create(spec, new Random(_config.Seed));
        return Run(model, spec, train, test, resume, cancel);
    }

    /// <summary>Trains an already built model (the quantization stages reuse this loop).</summary>
    public TrainResult Run(Module model, ModelSpec spec, Dataset train, Dataset test, bool resume = false,
        CancellationToken cancel = default)
    {
        var defaults = ModelZoo.DefaultsFor(spec.Name);
        var optimizer = BuildOptimizer(model, defaults);
        _extension?.OnOptimizer(optimizer);
        bool augment = _config.Augment ?? defaults.Augment;
        var loader = new DataLoader(train, _config.BatchSize, shuffle: true, dropLast: false, seed: _config.Seed,
            augmentation: augment && train.SampleShape.Length == 3 ? Augmentation.Cifar : null);
        int stepsPerEpoch = loader.BatchesPerEpoch;
        int totalSteps = stepsPerEpoch * _config.Epochs;
        var schedule = BuildSchedule(optimizer.LearningRate, _config.WarmupEpochs ?? defaults.WarmupEpochs, stepsPerEpoch, totalSteps);

        string? checkpointPath = _config.OutDir is null ? null : Path.Combine(_config.OutDir, CheckpointFileName);
        var history = new List<EpochReport>();
        int startEpoch = 0, startStep = 0;
        double previousSeconds = 0;
        if (resume)
        {
            if (checkpointPath is null) throw new MixQException("--resume needs --out DIR holding a checkpoint");
            if (File.Exists(checkpointPath))
            {
                (startEpoch, startStep, previousSeconds) = Restore(checkpointPath, model, spec, optimizer, history);
                _observer.OnInfo($"resuming from {checkpointPath} at epoch {startEpoch + 1}, step {startStep}");
            }
            else _observer.OnInfo($"no checkpoint at {checkpointPath}; starting from scratch");
        }

        var clock = Stopwatch.StartNew();
        double trainSeconds = 0;
        long trainSamples = 0;
        for (int epoch = startEpoch; epoch < _config.Epochs; epoch++)
        {
            model.Train();
            _extension?.OnEpochStart(epoch + 1);
            _observer.OnEpochStart(epoch + 1, _config.Epochs, stepsPerEpoch);
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0;
            long correct = 0, seen = 0;
            int step = 0;
            foreach (var (inputs, labels) in loader.Batches(epoch))
            {
                if (epoch == startEpoch && step < startStep) { step++; continue; }
                cancel.ThrowIfCancellationRequested();
                int globalStep = epoch * stepsPerEpoch + step;
                schedule.Apply(optimizer, globalStep, totalSteps);
                var logits = model.Forward(inputs);
                var loss = Ops.SoftmaxCrossEntropy(logits, labels, (float)_config.LabelSmoothing);
                var extra = _extension?.ExtraLoss(globalStep, totalSteps);
                // Last step's gradients were consumed by its optimizer step: their memory serves this step's backward.
                optimizer.ZeroGrad(recycle: true);
                (extra is null ? loss : Ops.Add(loss, extra)).Backward();
                if (_config.ClipNorm is { } clip) GradientClipping.ClipByGlobalNorm(optimizer.Parameters, (float)clip);
                optimizer.Step();
                _extension?.AfterStep(globalStep, totalSteps);

                // The reported loss is the task loss; an extension reports its own terms.
                float lossValue = loss.Item();
                if (!float.IsFinite(lossValue))
                    throw new MixQException($"training diverged at epoch {epoch + 1}, step {step + 1} (loss is {lossValue}); lower --lr");
                lossSum += lossValue * labels.Length;
                correct += Metrics.CountCorrect(logits, labels);
                Graph.Release(loss); // loss and logits are read: the step's activations can feed the next step
                seen += labels.Length;
                step++;
                double elapsed = epochClock.Elapsed.TotalSeconds;
                _observer.OnStep(new StepReport(epoch + 1, step, stepsPerEpoch, lossSum / seen, (double)correct / seen,
                    seen / Math.Max(elapsed, 1e-9), optimizer.LearningRate));
                if (checkpointPath is not null && _config.CheckpointEverySteps > 0 && step % _config.CheckpointEverySteps == 0 && step < stepsPerEpoch)
                    Save(checkpointPath, model, spec, optimizer, epoch, step, history, previousSeconds + clock.Elapsed.TotalSeconds);
            }
            double epochTrainSeconds = epochClock.Elapsed.TotalSeconds;
            trainSeconds += epochTrainSeconds;
            trainSamples += seen;
            _extension?.BeforeEvaluation(epoch + 1);
            var (testLoss, testAccuracy) = Evaluator.Evaluate(model, test, _config.BatchSize * 2);
            var report = new EpochReport(epoch + 1, seen > 0 ? lossSum / seen : double.NaN, seen > 0 ? (double)correct / seen : double.NaN,
                testLoss, testAccuracy, epochClock.Elapsed.TotalSeconds, seen / Math.Max(epochTrainSeconds, 1e-9), optimizer.LearningRate);
            history.Add(report);
            _observer.OnEpochEnd(report);
            _extension?.AfterEvaluation(report);
            if (checkpointPath is not null)
                Save(checkpointPath, model, spec, optimizer, epoch + 1, 0, history, previousSeconds + clock.Elapsed.TotalSeconds);
        }

        var (finalLoss, finalAccuracy) = history.Count > 0 && history[^1].Epoch == _config.Epochs && startEpoch < _config.Epochs
            ? (history[^1].TestLoss, history[^1].TestAccuracy)
            : Evaluator.Evaluate(model, test, _config.BatchSize * 2);
        return new TrainResult(history, finalAccuracy, finalLoss, previousSeconds + clock.Elapsed.TotalSeconds,
            trainSamples / Math.Max(trainSeconds, 1e-9), checkpointPath, startEpoch);
    }

    private Optimizer BuildOptimizer(Module model, ModelDefaults defaults)
    {
        string name = (_config.Optimizer ?? defaults.Optimizer).ToLowerInvariant();
        float lr = (float)(_config.LearningRate ?? defaults.LearningRate);
        float wd = (float)(_config.WeightDecay ?? defaults.WeightDecay);
        // Decay only weight matrices, kernels and embeddings (rank >= 2): biases and normalization scales stay
        // free, the usual practice (decaying them hurts small models).
        static bool Decays(Tensor p) => p.Rank >= 2;
        var own = new HashSet<Tensor>(_extension?.OwnParameters ?? [], ReferenceEqualityComparer.Instance);
        var parameters = model.Parameters().Where(p => !own.Contains(p)).ToList();
        return name switch
        {
            "sgd" => new Sgd(parameters, new SgdOptions(lr)
            {
                Momentum = (float)_config.Momentum, Nesterov = _config.Nesterov, WeightDecay = wd,
                DecayFilter = Decays,
            }),
            "adam" => new Adam(parameters, new AdamOptions(lr) { WeightDecay = wd, DecayFilter = Decays }),
            "adamw" => new AdamW(parameters, new AdamOptions(lr) { WeightDecay = wd, DecayFilter = Decays }),
            _ => throw new MixQException($"unknown optimizer '{name}' (expected sgd, adam or adamw)"),
        };
    }

    private LearningRateSchedule BuildSchedule(float baseRate, double warmupEpochs, int stepsPerEpoch, int totalSteps)
    {
        int warmup = (int)Math.Round(warmupEpochs * stepsPerEpoch);
        return _config.Schedule.ToLowerInvariant() switch
        {
            "cosine" => new CosineSchedule(baseRate, 0f, warmup),
            "constant" => new ConstantSchedule(baseRate, warmup),
            // Step decay: divide by 10 at 50% and 75% of the run (the classic CIFAR recipe).
            "step" => new MultiStepSchedule(baseRate, [totalSteps / 2, totalSteps * 3 / 4], 0.1f, warmup),
            _ => throw new MixQException($"unknown schedule '{_config.Schedule}' (expected cosine, step or constant)"),
        };
    }

    private void Save(string path, Module model, ModelSpec spec, Optimizer optimizer, int epoch, int stepInEpoch,
        List<EpochReport> history, double seconds)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Checkpoint.Save(path, model, new CheckpointMetadata
        {
            ModelDescription = spec.ToJson(),
            Epoch = epoch,
            OptimizerState = optimizer.ExportState(),
            Extra = new Dictionary<string, string>
            {
                [StepKey] = stepInEpoch.ToString(CultureInfo.InvariantCulture),
                [SecondsKey] = seconds.ToString("R", CultureInfo.InvariantCulture),
                [HistoryKey] = JsonSerializer.Serialize(history),
                [ConfigKey] = JsonSerializer.Serialize(_config with { OutDir = null }),
            },
        });
    }

    private (int Epoch, int Step, double Seconds) Restore(string path, Module model, ModelSpec spec, Optimizer optimizer,
        List<EpochReport> history)
    {
        var stored = ModelZoo.ReadSpec(path);
        if (!stored.Equals(spec))
            throw new MixQException($"checkpoint {path} holds model {stored.ToJson()}, not {spec.ToJson()}; use another --out");
        var meta = Checkpoint.Load(path, model);
        if (meta.OptimizerState is { } state) optimizer.ImportState(state);
        var extra = meta.Extra ?? new Dictionary<string, string>();
        int step = extra.TryGetValue(StepKey, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : 0;
        double seconds = extra.TryGetValue(SecondsKey, out var sec) ? double.Parse(sec, CultureInfo.InvariantCulture) : 0;
        if (extra.TryGetValue(HistoryKey, out var h)) history.AddRange(JsonSerializer.Deserialize<List<EpochReport>>(h) ?? []);
        return (meta.Epoch ?? 0, step, seconds);
    }


    private static void Validate(TrainConfig c)
    {
        if (c.Epochs < 1) throw new MixQException($"--epochs must be at least 1, got {c.Epochs}");
        if (c.BatchSize < 1) throw new MixQException($"--batch-size must be at least 1, got {c.BatchSize}");
        if (c.LearningRate is { } lr && (!(lr > 0) || double.IsInfinity(lr))) throw new MixQException($"--lr must be a positive number, got {lr}");
        if (c.WeightDecay is < 0) throw new MixQException($"--weight-decay must not be negative, got {c.WeightDecay}");
        if (c.WarmupEpochs is < 0) throw new MixQException($"--warmup must not be negative, got {c.WarmupEpochs}");
        if (c.LabelSmoothing is < 0 or >= 1) throw new MixQException($"--label-smoothing must be in [0, 1), got {c.LabelSmoothing}");
    }
}
