namespace MixQ.NN.Layers;

/// <summary>Batch normalisation of [N, C] features (or [N, C, L] sequences), per channel C.</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine)
{
    protected override bool AcceptsRank(int rank) => rank is 2 or 3;

    protected override string ExpectedLayout => "[N, C] or [N, C, L]";
}
