using System.Buffers;
using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

public static partial class Ops
{
    /// <summary>Elements per chunk below which normalisation work stays on the calling thread.</summary>
    private const int NormGrain = 32768;

    /// <summary>
    /// Batch normalisation over axis 1 of [N, C] or [N, C, *spatial] (PyTorch BatchNorm1d/2d semantics).
    /// <para>
    /// Training: each channel is normalised with its batch mean and biased variance, and the running statistics
    /// (when given) are updated in place: running = (1 - momentum) running + momentum batch, using the
    /// unbiased variance var * M / (M - 1) for running_var (M = values per channel).
    /// Evaluation: the running statistics are used instead.
    /// </para>
    /// <para>
    /// Fused backward (training): with k = gamma invStd and xhat = (x - mean) invStd,
    /// dx = k (g - mean(g) - xhat mean(g xhat)), expanded per channel to dx = k g + a x + b where
    /// a = -k invStd^2 sum(g (x - mean)) / M and b = -k sum(g) / M - a mean.
    /// In evaluation the statistics are constants, so dx = k g. Always dgamma = sum(g xhat), dbeta = sum(g).
    /// </para>
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? weight, Tensor? bias, Tensor? runningMean, Tensor? runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (input.Rank < 2) throw new ArgumentException($"batch norm needs [N, C, ...], got {ShapeUtil.Format(input.Shape)}");
        int n = input.Dim(0), channels = input.Dim(1);
        foreach (var (t, what) in new[] { (weight, "weight"), (bias, "bias"), (runningMean, "running mean"), (runningVar, "running variance") })
        {
            if (t is not null && (t.Rank != 1 || t.Dim(0) != channels))
                throw new ArgumentException($"batch norm {what} must be [{channels}], got {ShapeUtil.Format(t.Shape)}");
        }
        if (!training && (runningMean is null || runningVar is null))
            throw new ArgumentException("batch norm in evaluation mode needs running statistics");
        var x = input.Contiguous();
        int s = n * channels == 0 ? 0 : x.Size / (n * channels);
        long m = (long)n * s;
        if (training && m < 2) throw new ArgumentException($"batch norm in training needs more than one value per channel, input {ShapeUtil.Format(input.Shape)}");

        var gammaT = weight?.Contiguous();
        var betaT = bias?.Contiguous();
        var mean = new float[channels];
        var invStd = new float[channels];
        if (training)
        {
            var variance = new float[channels];
            BatchNormMoments(x, n, channels, s, mean, variance);
            for (int c = 0; c < channels; c++) invStd[c] = 1f / MathF.Sqrt(variance[c] + eps);
            if (runningMean is not null) UpdateRunning(runningMean, mean, momentum, 1.0);
            if (runningVar is not null) UpdateRunning(runningVar, variance, momentum, (double)m / (m - 1));
        }
        else
        {
            runningMean!.Contiguous().Span.CopyTo(mean);
            var rv = runningVar!.Contiguous().Span;
            for (int c = 0; c < channels; c++) invStd[c] = 1f / MathF.Sqrt(rv[c] + eps);
        }

        var scale = new float[channels];
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            float gamma = gammaT is null ? 1f : gammaT.Span[c];
            float beta = betaT is null ? 0f : betaT.Span[c];
            scale[c] = gamma * invStd[c];
            shift[c] = beta - mean[c] * scale[c];
        }
        var y = Tensor.Uninitialized(x.ShapeArray());
        BatchNormAffine(x, n, channels, s, scale, shift, y);

        var inputs = new List<Tensor> { x };
        if (gammaT is not null) inputs.Add(gammaT);
        if (betaT is not null) inputs.Add(betaT);
        return Graph.Record("batchnorm", y, inputs.ToArray(), g =>
        {
            var gy = g.Contiguous();
            var sumG = new double[channels];
            var sumGCentred = new double[channels];
            BatchNormGradSums(x, gy, n, channels, s, mean, sumG, sumGCentred);
            if (gammaT is not null && gammaT.RequiresGrad)
            {
                var dGamma = new float[channels];
                for (int c = 0; c < channels; c++) dGamma[c] = (float)(sumGCentred[c] * invStd[c]);
                gammaT.AccumulateGrad(dGamma);
            }
            if (betaT is not null && betaT.RequiresGrad)
            {
                var dBeta = new float[channels];
                for (int c = 0; c < channels; c++) dBeta[c] = (float)sumG[c];
                betaT.AccumulateGrad(dBeta);
            }
            if (!x.RequiresGrad) return;
            var k = new float[channels];
            var a = new float[channels];
            var b = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                k[c] = gammaT is null ? invStd[c] : gammaT.Span[c] * invStd[c];
                if (!training) continue;
                double kc = k[c], inv = invStd[c];
                a[c] = (float)(-kc * inv * inv * sumGCentred[c] / m);
                b[c] = (float)(-kc * sumG[c] / m - a[c] * (double)mean[c]);
            }
            WriteGrad(x, (dx, dxo) => BatchNormGradInput(x, gy, n, channels, s, k, a, b, dx, dxo));
        });
    }

    /// <summary>
    /// Layer normalisation over the last axis with optional affine parameters [D]:
    /// y = (x - mean) / sqrt(var + eps) * gamma + beta, mean and biased var per row.
    /// Backward per row: dx = invStd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = g gamma.
    /// </summary>
    public static Tensor LayerNorm(Tensor input, Tensor? weight, Tensor? bias, float eps = 1e-5f)
    {
        if (input.Rank < 1) throw new ArgumentException("layer norm needs at least one axis");
        int d = input.Dim(-1);
        foreach (var (t, what) in new[] { (weight, "weight"), (bias, "bias") })
        {
            if (t is not null && (t.Rank != 1 || t.Dim(0) != d))
                throw new ArgumentException($"layer norm {what} must be [{d}], got {ShapeUtil.Format(t.Shape)}");
        }
        if (d == 0) throw new ArgumentException($"layer norm over an empty axis {ShapeUtil.Format(input.Shape)}");
        var x = input.Contiguous();
        var gammaT = weight?.Contiguous();
        var betaT = bias?.Contiguous();
        int rows = x.Size / d;
        var mean = new float[rows];
        var invStd = new float[rows];
        var y = Tensor.Uninitialized(x.ShapeArray());
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset;
        BatchParallel.For(rows, BatchParallel.ChunksFor(rows, Math.Max(1, NormGrain / d)), (_, start, end) =>
        {
            ReadOnlySpan<float> gamma = gammaT is null ? default : gammaT.Span;
            ReadOnlySpan<float> beta = betaT is null ? default : betaT.Span;
            for (int r = start; r < end; r++)
            {
                var row = xs.AsSpan(xo + r * d, d);
                var outRow = ys.AsSpan(r * d, d);
                float mu = TensorPrimitives.Sum(row) / d;
                TensorPrimitives.Subtract(row, mu, outRow);
                float inv = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(outRow) / d + eps);
                mean[r] = mu;
                invStd[r] = inv;
                TensorPrimitives.Multiply(outRow, inv, outRow);
                if (gammaT is not null && betaT is not null) TensorPrimitives.FusedMultiplyAdd(outRow, gamma, beta, outRow);
                else if (gammaT is not null) TensorPrimitives.Multiply(outRow, gamma, outRow);
                else if (betaT is not null) TensorPrimitives.Add(outRow, beta, outRow);
            }
        });

        var inputs = new List<Tensor> { x };
        if (gammaT is not null) inputs.Add(gammaT);
        if (betaT is not null) inputs.Add(betaT);
        return Graph.Record("layernorm", y, inputs.ToArray(), g => LayerNormBackward(x, gammaT, betaT, g.Contiguous(), mean, invStd));
    }

    private static void LayerNormBackward(Tensor x, Tensor? gammaT, Tensor? betaT, Tensor gy, float[] mean, float[] invStd)
    {
        int d = x.Dim(-1), rows = x.Size / d;
        bool needX = x.RequiresGrad;
        bool needGamma = gammaT is not null && gammaT.RequiresGrad;
        bool needBeta = betaT is not null && betaT.RequiresGrad;
        // Parameter gradients are summed over rows: per-chunk partials reduced in chunk order keep it deterministic.
        int chunks = (long)rows * d >= 2 * NormGrain ? Math.Min(rows, BatchParallel.ReductionChunks) : 1;
        var dGamma = needGamma ? new float[chunks * d] : null;
        var dBeta = needBeta ? new float[chunks * d] : null;
        float[]? dx = null, dxScratch = null;
        int dxo = 0;
        if (needX)
        {
            GradTarget(x, out bool fresh);
            if (fresh) (dx, dxo) = (x.Grad!.Storage, x.Grad.Offset);
            else dx = dxScratch = ArrayPool<float>.Shared.Rent(x.Size);
        }
        float[] xs = x.Storage, gs = gy.Storage;
        int xo = x.Offset, go = gy.Offset;
        BatchParallel.For(rows, chunks, (chunk, start, end) =>
        {
            var scratch = ArrayPool<float>.Shared.Rent(2 * d);
            var xhat = scratch.AsSpan(0, d);
            var dxhat = scratch.AsSpan(d, d);
            ReadOnlySpan<float> gamma = gammaT is null ? default : gammaT.Span;
            for (int r = start; r < end; r++)
            {
                var row = xs.AsSpan(xo + r * d, d);
                var gRow = gs.AsSpan(go + r * d, d);
                TensorPrimitives.Subtract(row, mean[r], xhat);
                TensorPrimitives.Multiply(xhat, invStd[r], xhat);
                if (dGamma is not null)
                {
                    var acc = dGamma.AsSpan(chunk * d, d);
                    TensorPrimitives.MultiplyAdd(gRow, xhat, acc, acc);
                }
                if (dBeta is not null)
                {
                    var acc = dBeta.AsSpan(chunk * d, d);
                    TensorPrimitives.Add(acc, gRow, acc);
                }
                if (dx is null) continue;
                if (gammaT is not null) TensorPrimitives.Multiply(gRow, gamma, dxhat);
                else gRow.CopyTo(dxhat);
                float meanDxhat = TensorPrimitives.Sum(dxhat) / d;
                float meanDxhatXhat = TensorPrimitives.Dot(dxhat, xhat) / d;
                var dxRow = dx.AsSpan(dxo + r * d, d);
                TensorPrimitives.MultiplyAdd(xhat, -meanDxhatXhat, dxhat, dxRow);
                Elementwise.Apply(new ScaleShiftKernel(invStd[r], -invStd[r] * meanDxhat), dxRow, dxRow, dxRow);
            }
            ArrayPool<float>.Shared.Return(scratch);
        });
        if (dxScratch is not null)
        {
            var grad = x.Grad!.Span;
            TensorPrimitives.Add(grad, dxScratch.AsSpan(0, grad.Length), grad);
            ArrayPool<float>.Shared.Return(dxScratch);
        }
        if (dGamma is not null) gammaT!.AccumulateGrad(SumChunks(dGamma, chunks, d));
        if (dBeta is not null) betaT!.AccumulateGrad(SumChunks(dBeta, chunks, d));
    }

    /// <summary>Adds per-chunk partial rows [chunks, d] in chunk order into the first row.</summary>
    private static ReadOnlySpan<float> SumChunks(float[] partials, int chunks, int d)
    {
        var total = partials.AsSpan(0, d);
        for (int k = 1; k < chunks; k++) TensorPrimitives.Add(total, partials.AsSpan(k * d, d), total);
        return total;
    }

    private static void UpdateRunning(Tensor running, float[] batchValue, float momentum, double correction)
    {
        var r = running.Contiguous();
        var span = r.Span;
        for (int c = 0; c < span.Length; c++)
            span[c] = (float)((1.0 - momentum) * span[c] + momentum * batchValue[c] * correction);
        if (!ReferenceEquals(r, running)) running.CopyFrom(r);
    }

    private static void BatchNormMoments(Tensor x, int n, int channels, int s, float[] mean, float[] variance)
    {
        if (s == 1)
        {
            var scratch = ArrayPool<float>.Shared.Rent(channels);
            BatchNormKernels.RowMoments(x.Span, n, channels, mean, variance, scratch);
            ArrayPool<float>.Shared.Return(scratch);
            return;
        }
        float[] xs = x.Storage;
        int xo = x.Offset, size = x.Size;
        BatchParallel.For(channels, BatchParallel.ChunksFor(channels, Math.Max(1, NormGrain / Math.Max(1, n * s))), (_, start, end) =>
        {
            for (int c = start; c < end; c++)
                (mean[c], variance[c]) = BatchNormKernels.PlanarMoments(xs.AsSpan(xo, size), n, channels, s, c);
        });
    }

    private static void BatchNormAffine(Tensor x, int n, int channels, int s, float[] scale, float[] shift, Tensor y)
    {
        if (s == 1)
        {
            BatchNormKernels.RowAffine(x.Span, n, channels, scale, shift, y.Span);
            return;
        }
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset, size = x.Size;
        BatchParallel.For(channels, BatchParallel.ChunksFor(channels, Math.Max(1, NormGrain / Math.Max(1, n * s))), (_, start, end) =>
        {
            for (int c = start; c < end; c++)
                BatchNormKernels.PlanarAffine(xs.AsSpan(xo, size), n, channels, s, c, scale[c], shift[c], ys.AsSpan(0, size));
        });
    }

    private static void BatchNormGradSums(Tensor x, Tensor gy, int n, int channels, int s, float[] mean, double[] sumG, double[] sumGCentred)
    {
        if (s == 1)
        {
            var scratch = ArrayPool<float>.Shared.Rent(3 * channels);
            var sg = scratch.AsSpan(0, channels);
            var sgx = scratch.AsSpan(channels, channels);
            BatchNormKernels.RowGradSums(x.Span, gy.Span, n, channels, mean, sg, sgx, scratch.AsSpan(2 * channels, channels));
            for (int c = 0; c < channels; c++) (sumG[c], sumGCentred[c]) = (sg[c], sgx[c]);
            ArrayPool<float>.Shared.Return(scratch);
            return;
        }
        float[] xs = x.Storage, gs = gy.Storage;
        int xo = x.Offset, go = gy.Offset, size = x.Size;
        BatchParallel.For(channels, BatchParallel.ChunksFor(channels, Math.Max(1, NormGrain / Math.Max(1, n * s))), (_, start, end) =>
        {
            for (int c = start; c < end; c++)
                (sumG[c], sumGCentred[c]) = BatchNormKernels.PlanarGradSums(xs.AsSpan(xo, size), gs.AsSpan(go, size), n, channels, s, c, mean[c]);
        });
    }

    private static void BatchNormGradInput(Tensor x, Tensor gy, int n, int channels, int s, float[] k, float[] a, float[] b, float[] dx, int dxo)
    {
        int size = x.Size;
        if (s == 1)
        {
            BatchNormKernels.RowGradInput(x.Span, gy.Span, n, channels, k, a, b, dx.AsSpan(dxo, size));
            return;
        }
        float[] xs = x.Storage, gs = gy.Storage;
        int xo = x.Offset, go = gy.Offset;
        BatchParallel.For(channels, BatchParallel.ChunksFor(channels, Math.Max(1, NormGrain / Math.Max(1, n * s))), (_, start, end) =>
        {
            for (int c = start; c < end; c++)
                BatchNormKernels.PlanarGradInput(xs.AsSpan(xo, size), gs.AsSpan(go, size), n, channels, s, c, k[c], a[c], b[c], dx.AsSpan(dxo, size));
        });
    }
}
