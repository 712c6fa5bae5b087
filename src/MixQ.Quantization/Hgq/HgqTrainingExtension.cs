using System.Runtime.CompilerServices;
using MixQ.NN.Modules;
using MixQ.NN.Optim;
using MixQ.NN.Training;
using MixQ.Tensors;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// HGQ's part of the training loop: adds beta * EBOPs + gamma * Σ bits to the loss, trains the fractional bits with
/// their own Adam (bits need steps of a fraction of a bit whatever the weights' optimizer is), moves beta along its
/// schedule or the EBOPs controller, restarts activation ranges each epoch, and before each evaluation calibrates
/// ranges on training batches and snaps biases to their accumulator grid (so evaluations are bit-exact).
/// </summary>
public sealed class HgqTrainingExtension : ITrainingExtension
{
    private readonly Module _model;
    private readonly IReadOnlyList<HgqLayer> _layers;
    private readonly HgqOptions _options;
    private readonly IReadOnlyList<Tensor> _calibration;
    private readonly BoundedAdam? _bitsOptimizer;
    private readonly HashSet<Tensor> _notUpdated = new(ReferenceEqualityComparer.Instance);
    private readonly EbopsController? _controller;

    public HgqTrainingExtension(Module model, HgqOptions options, IReadOnlyList<Tensor> calibration)
    {
        _model = model;
        _layers = HgqModel.Layers(model);
        _options = options;
        _calibration = calibration;
        OwnParameters = _layers.SelectMany(l => new[] { l.Weight.FractionalBits, l.Input.FractionalBits }).Where(t => t.RequiresGrad).ToList();
        // Adam that also clamps f into its interval in the same pass (what ClampFractionalBits did as a second pass).
        var bounds = _layers.SelectMany(l => new[] { l.Weight, l.Input }).Where(q => q.FractionalBits.RequiresGrad).Select(q => q.FractionalBitsBounds).ToList();
        if (OwnParameters.Count > 0) _bitsOptimizer = new BoundedAdam(OwnParameters, new AdamOptions((float)options.BitsLearningRate), bounds);
        if (options.TargetEbops is { } target) _controller = new EbopsController(target, Math.Max(options.Beta.Start, 1e-12));
        Beta = _controller?.Beta ?? options.Beta.At(0);
    }

    public IReadOnlyList<Tensor> OwnParameters { get; }

    /// <summary>The beta of the next step.</summary>
    public double Beta { get; private set; }

    /// <summary>EBOPs of the last training step (from the differentiable count, float precision).</summary>
    public double LastEbops { get; private set; }

    public void OnEpochStart(int epoch) => HgqModel.ResetRanges(_model);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: see HgqQuantizer
    public Tensor? ExtraLoss(int globalStep, int totalSteps)
    {
        Tensor? ebops = null;
        foreach (var layer in _layers)
        {
            var part = Ebops.Differentiable(layer);
            ebops = ebops is null ? part : Ops.Add(ebops, part);
        }
        if (ebops is null) return null;
        LastEbops = ebops.Item();
        var loss = Ops.MulScalar(ebops, (float)Beta);
        if (_options.Gamma > 0) loss = Ops.Add(loss, Ops.MulScalar(HgqModel.TotalBits(_layers), (float)_options.Gamma));
        return loss;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: see HgqQuantizer
    public void AfterStep(int globalStep, int totalSteps)
    {
        // f the optimizer updates leaves it clamped; any other f (a buffer, or one without a gradient this step) is
        // clamped here as before.
        _notUpdated.Clear();
        foreach (var p in OwnParameters) if (p.Grad is null) _notUpdated.Add(p);
        if (_bitsOptimizer is not null)
        {
            _bitsOptimizer.Step();
            // ZeroGrad, keeping the memory: these gradients belong to this optimizer alone.
            foreach (var p in OwnParameters) GradientSink.Recycle(p);
        }
        foreach (var layer in _layers)
            foreach (var q in new[] { layer.Weight, layer.Input })
                q.AfterStep(clamped: _bitsOptimizer is not null && q.FractionalBits.RequiresGrad && !_notUpdated.Contains(q.FractionalBits));
        Beta = _controller is not null
            ? _controller.Update(LastEbops)
            : _options.Beta.At((double)(globalStep + 1) / Math.Max(1, totalSteps));
    }

    /// <summary>
    /// Runs after each epoch's evaluation has been reported, with that report and <see cref="Beta"/> (the job records
    /// the Pareto point here).
    /// </summary>
    public Action<EpochReport, double>? OnEvaluated { get; init; }

    public void AfterEvaluation(EpochReport report) => OnEvaluated?.Invoke(report, Beta);

    public void BeforeEvaluation(int epoch)
    {
        // Snap, calibrate, snap: calibration sees the biases it will be evaluated with, and the final snap
        // covers the rare case where a new range lowered some f (formats are capped at 24 bits).
        HgqModel.SnapBiases(_model);
        HgqModel.Calibrate(_model, _calibration);
        HgqModel.SnapBiases(_model);
    }
}
