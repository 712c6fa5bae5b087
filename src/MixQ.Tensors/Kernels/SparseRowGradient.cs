namespace MixQ.Tensors.Kernels;

/// <summary>
/// The input gradient of y = x W^T at a few entries only (<see cref="Tensor.GradientSupport"/>): for a flat index
/// i = n * in + j, dx[i] += Σ_o g[n, o] W[o, j], summed in order of o. Worth it when the entries are far fewer than
/// a full GEMM's rows x in: the first layer of a quantized model needs its input gradient only where the input
/// quantizer clipped, to train the clipping threshold.
/// </summary>
public static class SparseRowGradient
{
    public static void Accumulate(ReadOnlySpan<float> g, ReadOnlySpan<float> w, ReadOnlySpan<int> support, int outFeatures, int inFeatures, Span<float> dx)
    {
        foreach (int i in support)
        {
            if ((uint)i >= (uint)dx.Length) throw new ArgumentOutOfRangeException(nameof(support), i, "gradient support index outside the tensor");
            int n = i / inFeatures, j = i - n * inFeatures;
            var gRow = g.Slice(n * outFeatures, outFeatures);
            float sum = 0f;
            for (int o = 0; o < outFeatures; o++) sum += gRow[o] * w[o * inFeatures + j];
            dx[i] += sum;
        }
    }
}
