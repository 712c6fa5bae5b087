using System.Numerics.Tensors;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Per-channel batch-normalisation arithmetic on a tensor viewed as [N, C, S] (S = product of the spatial
/// axes). Two layouts are handled: "planar" (S &gt; 1, each (n, c) block of S values is contiguous, so one
/// channel is processed at a time and channels can run in parallel) and "rows" (S = 1, i.e. [N, C]: whole
/// rows are processed at once, vectorised across channels).
/// Notation: M = N*S values per channel, mean/var are batch (or running) statistics, invStd = 1/sqrt(var+eps),
/// xhat = (x - mean) invStd, y = gamma xhat + beta = scale x + shift.
/// </summary>
public static class BatchNormKernels
{
    /// <summary>Mean and biased variance of channel <paramref name="c"/> (two passes: no E[x^2]-E[x]^2 cancellation).</summary>
    public static (float Mean, float Variance) PlanarMoments(ReadOnlySpan<float> x, int n, int channels, int s, int c)
    {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += TensorPrimitives.Sum(x.Slice((i * channels + c) * s, s));
        float mean = (float)(sum / ((double)n * s));
        double squares = 0;
        for (int i = 0; i < n; i++) squares += CenteredReductions.SumSquaredDeviation(x.Slice((i * channels + c) * s, s), mean);
        return (mean, (float)(squares / ((double)n * s)));
    }

    /// <summary>y = scale * x + shift on channel <paramref name="c"/>.</summary>
    public static void PlanarAffine(ReadOnlySpan<float> x, int n, int channels, int s, int c, float scale, float shift, Span<float> y)
    {
        var kernel = new ScaleShiftKernel(scale, shift);
        for (int i = 0; i < n; i++)
        {
            var block = x.Slice((i * channels + c) * s, s);
            Elementwise.Apply(kernel, block, block, y.Slice((i * channels + c) * s, s));
        }
    }

    /// <summary>Sum of g and sum of g * (x - mean) over channel <paramref name="c"/>: the two reductions backward needs.</summary>
    public static (double SumG, double SumGCentred) PlanarGradSums(ReadOnlySpan<float> x, ReadOnlySpan<float> g, int n, int channels, int s, int c,
        float mean)
    {
        double sumG = 0, sumGx = 0;
        for (int i = 0; i < n; i++)
        {
            int at = (i * channels + c) * s;
            var (blockG, blockGx) = CenteredReductions.SumAndCentredDot(g.Slice(at, s), x.Slice(at, s), mean);
            sumG += blockG;
            sumGx += blockGx;
        }
        return (sumG, sumGx);
    }

    /// <summary>dx = k g + a x + b on channel <paramref name="c"/> (the fused backward, expanded; see Ops.BatchNorm).</summary>
    public static void PlanarGradInput(ReadOnlySpan<float> x, ReadOnlySpan<float> g, int n, int channels, int s, int c,
        float k, float a, float b, Span<float> dx)
    {
        var kernel = new AffineGradKernel(k, a, b);
        for (int i = 0; i < n; i++)
        {
            int at = (i * channels + c) * s;
            if (a == 0f && b == 0f) TensorPrimitives.Multiply(g.Slice(at, s), k, dx.Slice(at, s));
            else Elementwise.Apply(kernel, x.Slice(at, s), g.Slice(at, s), dx.Slice(at, s));
        }
    }

    /// <summary>Per-channel mean and biased variance of [N, C] rows.</summary>
    public static void RowMoments(ReadOnlySpan<float> x, int n, int channels, Span<float> mean, Span<float> variance, Span<float> scratch)
    {
        mean.Clear();
        for (int i = 0; i < n; i++) TensorPrimitives.Add(mean, x.Slice(i * channels, channels), mean);
        TensorPrimitives.Multiply(mean, 1f / n, mean);
        variance.Clear();
        var centred = scratch[..channels];
        for (int i = 0; i < n; i++)
        {
            TensorPrimitives.Subtract(x.Slice(i * channels, channels), mean, centred);
            TensorPrimitives.MultiplyAdd(centred, centred, variance, variance);
        }
        TensorPrimitives.Multiply(variance, 1f / n, variance);
    }

    /// <summary>y = scale * x + shift with per-channel vectors, row by row.</summary>
    public static void RowAffine(ReadOnlySpan<float> x, int n, int channels, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y)
    {
        for (int i = 0; i < n; i++)
            TensorPrimitives.FusedMultiplyAdd(x.Slice(i * channels, channels), scale, shift, y.Slice(i * channels, channels));
    }

    /// <summary>Per-channel sums of g and g * (x - mean) over the rows.</summary>
    public static void RowGradSums(ReadOnlySpan<float> x, ReadOnlySpan<float> g, int n, int channels, ReadOnlySpan<float> mean,
        Span<float> sumG, Span<float> sumGCentred, Span<float> scratch)
    {
        sumG.Clear();
        sumGCentred.Clear();
        var centred = scratch[..channels];
        for (int i = 0; i < n; i++)
        {
            var gRow = g.Slice(i * channels, channels);
            TensorPrimitives.Add(sumG, gRow, sumG);
            TensorPrimitives.Subtract(x.Slice(i * channels, channels), mean, centred);
            TensorPrimitives.MultiplyAdd(gRow, centred, sumGCentred, sumGCentred);
        }
    }

    /// <summary>dx = k g + a x + b with per-channel vectors, row by row.</summary>
    public static void RowGradInput(ReadOnlySpan<float> x, ReadOnlySpan<float> g, int n, int channels,
        ReadOnlySpan<float> k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dx)
    {
        for (int i = 0; i < n; i++)
        {
            var target = dx.Slice(i * channels, channels);
            TensorPrimitives.FusedMultiplyAdd(x.Slice(i * channels, channels), a, b, target);
            TensorPrimitives.FusedMultiplyAdd(g.Slice(i * channels, channels), k, target, target);
        }
    }
}
