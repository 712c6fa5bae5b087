using MixQ.Tensors.Kernels;

namespace MixQ.Tensors.Tests;

/// <summary>Linear's input gradient restricted to <see cref="Tensor.GradientSupport"/> against the full GEMM.</summary>
public class GradientSupportTests
{
    [Fact]
    public void LinearComputesTheInputGradientOnlyAtTheSupportAndEqualsTheFullGradientThere()
    {
        var rng = new Random(5);
        int batch = 6, inFeatures = 37, outFeatures = 11;
        var w = Tensor.RandN(rng, 1f, outFeatures, inFeatures);
        w.RequiresGrad = true;
        var xData = Tensor.RandN(rng, 1f, batch, inFeatures).ToArray();
        var seed = Tensor.RandN(rng, 1f, batch, outFeatures);

        var full = Tensor.FromArray(xData, batch, inFeatures);
        full.RequiresGrad = true;
        Ops.Linear(full, w).Backward(seed);
        var dense = full.Grad!.ToArray();
        var denseW = w.Grad!.ToArray();
        w.Grad = null;

        int[] support = [0, 5, 36, 37, 100, batch * inFeatures - 1];
        var sparse = Tensor.FromArray(xData, batch, inFeatures);
        sparse.RequiresGrad = true;
        sparse.GradientSupport = support;
        Ops.Linear(sparse, w).Backward(seed);
        var got = sparse.Grad!.ToArray();
        for (int i = 0; i < got.Length; i++)
        {
            if (support.Contains(i)) Assert.Equal(dense[i], got[i], 1e-5f);
            else Assert.Equal(0f, got[i]);
        }
        Assert.Equal(denseW, w.Grad!.ToArray()); // the weight gradient is untouched by the hint
    }

    [Fact]
    public void SparseRowGradientAddsTheOrderedDotProductAndRejectsIndicesOutsideTheTensor()
    {
        float[] g = [1f, 2f, 3f, 4f];        // 2 samples x 2 outputs
        float[] w = [1f, 10f, 100f, 2f, 20f, 200f]; // 2 outputs x 3 inputs
        float[] dx = [0.5f, 0f, 0f, 0f, 0f, 0f];
        SparseRowGradient.Accumulate(g, w, [0, 5], 2, 3, dx);
        Assert.Equal([0.5f + 1 * 1 + 2 * 2, 0, 0, 0, 0, 3 * 100 + 4 * 200], dx);
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseRowGradient.Accumulate(g, w, [6], 2, 3, new float[6]));
    }
}
