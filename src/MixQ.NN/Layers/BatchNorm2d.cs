namespace MixQ.NN.Layers;

/// <summary>Batch normalisation of [N, C, H, W] feature maps, per channel C.</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine)
{
    protected override bool AcceptsRank(int rank) => rank == 4;

    protected override string ExpectedLayout => "[N, C, H, W]";
}
