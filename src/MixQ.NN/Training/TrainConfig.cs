namespace MixQ.NN.Training;

/// <summary>Everything that determines a training run. Same config and seed, same result.</summary>
public sealed record TrainConfig
{
    public required string Model { get; init; }
    public required string Data { get; init; }
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    /// <summary>Peak learning rate; null picks the model's default.</summary>
    public double? LearningRate { get; init; }
    /// <summary>sgd, adam or adamw; null picks the model's default.</summary>
    public string? Optimizer { get; init; }
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; }
    public double? WeightDecay { get; init; }
    /// <summary>cosine, step or constant.</summary>
    public string Schedule { get; init; } = "cosine";
    /// <summary>Linear warm-up in epochs; null picks the model's default.</summary>
    public double? WarmupEpochs { get; init; }
    public double? ClipNorm { get; init; }
    public double LabelSmoothing { get; init; }
    /// <summary>Random crop and flip for 32x32 colour images; null = on for CIFAR-10 only.</summary>
    public bool? Augment { get; init; }
    public int Seed { get; init; }
    /// <summary>Also checkpoint every this many steps inside an epoch (0 = at epoch ends only).</summary>
    public int CheckpointEverySteps { get; init; }
    public string? OutDir { get; init; }
    /// <summary>Stop after this many training samples per epoch (smoke tests); 0 = the whole split.</summary>
    public int LimitTrainSamples { get; init; }
    public int LimitTestSamples { get; init; }
}
