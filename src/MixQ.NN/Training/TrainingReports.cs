namespace MixQ.NN.Training;

/// <summary>Progress of one training step, for live display.</summary>
public readonly record struct StepReport(int Epoch, int Step, int StepsInEpoch, double Loss, double Accuracy,
    double SamplesPerSecond, double LearningRate);

/// <summary>The outcome of one epoch.</summary>
public sealed record EpochReport(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss,
    double TestAccuracy, double Seconds, double SamplesPerSecond, double LearningRate);

/// <summary>The outcome of a whole run.</summary>
public sealed record TrainResult(IReadOnlyList<EpochReport> Epochs, double TestAccuracy, double TestLoss,
    double Seconds, double SamplesPerSecond, string? CheckpointPath, int ResumedFromEpoch);

/// <summary>Receives progress; the command line shows it, tests ignore it.</summary>
public interface ITrainingObserver
{
    void OnInfo(string message) { }
    void OnEpochStart(int epoch, int totalEpochs, int steps) { }
    void OnStep(StepReport report) { }
    void OnEpochEnd(EpochReport report) { }
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentObserver : ITrainingObserver
{
    public static readonly SilentObserver Instance = new();
}
