using System.Buffers;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MixQ.Quantization.Scaling;
using MixQ.Tensors;
using MixQ.Tensors.Kernels;

namespace MixQ.Quantization.Assignment;

/// <summary>
/// Shape statistics of each row w (n weights, mean mu): variance m2 = mean((w - mu)^2); kurtosis m4 / m2^2
/// with m4 = mean((w - mu)^4) (3 for a Gaussian, 6 for a Laplacian, 1.8 for a uniform; 0 for a constant row);
/// and the range-normalised variance m2 / max|w|^2, a scale-free measure of how much of the row's range its
/// bulk fills (1/3 for a uniform row, about 0.1 for a Gaussian row of a few hundred weights).
/// </summary>
public sealed record RowStatistics(double[] Variance, double[] Kurtosis, double[] RelativeVariance)
{
    private const int ElementsPerChunk = 1 << 15;

    public static RowStatistics Of(Tensor weight)
    {
        int rows = WeightRows.Count(weight), n = WeightRows.Length(weight);
        var w = weight.Contiguous();
        float[] data = w.Storage;
        int offset = w.Offset;
        var variance = new double[rows];
        var kurtosis = new double[rows];
        var relative = new double[rows];
        int chunks = BatchParallel.ChunksFor(rows, Math.Max(1, ElementsPerChunk / Math.Max(1, n)));
        BatchParallel.For(rows, chunks, (_, start, end) =>
        {
            var scratch = ArrayPool<float>.Shared.Rent(Math.Max(1, n));
            try
            {
                var d = scratch.AsSpan(0, n);
                for (int r = start; r < end; r++)
                {
                    var row = data.AsSpan(offset + r * n, n);
                    if (n == 0) continue;
                    float mean = TensorPrimitives.Sum(row) / n;
                    TensorPrimitives.Subtract(row, mean, d);
                    double m2 = TensorPrimitives.SumOfSquares(d) / (double)n;
                    TensorPrimitives.Multiply(d, d, d);
                    double m4 = TensorPrimitives.SumOfSquares(d) / (double)n;
                    double max = MathF.Abs(TensorPrimitives.MaxMagnitude(row));
                    variance[r] = m2;
                    kurtosis[r] = m2 > 0 ? m4 / (m2 * m2) : 0;
                    relative[r] = max > 0 ? m2 / (max * max) : 0;
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        });
        return new RowStatistics(variance, kurtosis, relative);
    }
}
