using MixQ.NN.Optim;
using MixQ.Tensors;

namespace MixQ.NN.Training;

/// <summary>
/// Lets a method add loss terms and per-step work to <see cref="Trainer"/> without a copy of its loop (HGQ adds
/// beta * EBOPs + gamma * bits and trains its bit widths with an optimizer of its own).
/// </summary>
public interface ITrainingExtension
{
    /// <summary>Parameters the extension updates itself: kept out of the trainer's optimizer, weight decay and clipping.</summary>
    IReadOnlyList<Tensor> OwnParameters { get; }

    /// <summary>Before each training epoch (1-based), with the model already in training mode.</summary>
    void OnEpochStart(int epoch);

    /// <summary>Added to the task loss of a step, after the forward pass (null: nothing to add).</summary>
    Tensor? ExtraLoss(int globalStep, int totalSteps);

    /// <summary>After the trainer's optimizer step; the extension steps and clears its own parameters here.</summary>
    void AfterStep(int globalStep, int totalSteps);

    /// <summary>After an epoch's training and before its test evaluation (e.g. calibration).</summary>
    void BeforeEvaluation(int epoch);

    /// <summary>Once, before training starts: the optimizer the trainer steps the model's parameters with.</summary>
    void OnOptimizer(Optimizer optimizer) { }

    /// <summary>After an epoch's test evaluation has been reported, before the epoch's checkpoint is saved.</summary>
    void AfterEvaluation(EpochReport report) { }
}
