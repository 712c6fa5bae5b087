namespace MixQ.NN.Data;

/// <summary>A training set and the held-out set it is evaluated on (deconstructs as <c>var (train, test)</c>).</summary>
public sealed record DataSplit(Dataset Train, Dataset Test);
