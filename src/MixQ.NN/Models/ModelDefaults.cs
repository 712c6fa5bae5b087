namespace MixQ.NN.Models;

/// <summary>A model's default training recipe (each value can be overridden on the command line).</summary>
/// <param name="WarmupEpochs">Linear learning-rate warm-up. The CIFAR networks need it: at their peak rate the
/// classifier's first steps overshoot (seen identically in PyTorch with the same recipe) and BatchNorm statistics
/// never recover within a short run.</param>
public sealed record ModelDefaults(string Optimizer, double LearningRate, double WeightDecay, bool Augment, double WarmupEpochs = 0);
