namespace MixQ.NN.Models;

/// <summary>A model's default training recipe (each value can be overridden on the command line).</summary>
public sealed record ModelDefaults(string Optimizer, double LearningRate, double WeightDecay, bool Augment);
