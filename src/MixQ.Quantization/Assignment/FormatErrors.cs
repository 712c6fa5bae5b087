using System.Buffers;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Scaling;
using MixQ.Tensors;
using MixQ.Tensors.Kernels;

namespace MixQ.Quantization.Assignment;

/// <summary>
/// Adapter over <see cref="RowQuantizer"/>: the squared quantization error Σ (w - alpha q)^2 of every row under
/// every candidate format, each with its own MSE-optimal scale. Rows run in parallel.
/// </summary>
public static class FormatErrors
{
    /// <summary>Minimum weights per parallel chunk (a chunk quantizes each of its rows once per format).</summary>
    private const int ElementsPerChunk = 1 << 13;

    /// <summary>Row-major [rows, formats] squared errors of <paramref name="weight"/> (rows = axis 0).</summary>
    public static double[] Compute(Tensor weight, IReadOnlyList<NumberFormat> formats)
    {
        int rows = WeightRows.Count(weight), length = WeightRows.Length(weight), k = formats.Count;
        var w = weight.Contiguous();
        float[] data = w.Storage;
        int offset = w.Offset;
        var errors = new double[rows * k];
        int chunks = BatchParallel.ChunksFor(rows, Math.Max(1, ElementsPerChunk / Math.Max(1, length * k)));
        BatchParallel.For(rows, chunks, (_, start, end) =>
        {
            var scratch = ArrayPool<float>.Shared.Rent(Math.Max(1, length));
            try
            {
                for (int r = start; r < end; r++)
                {
                    var row = data.AsSpan(offset + r * length, length);
                    for (int f = 0; f < k; f++) errors[r * k + f] = RowQuantizer.Quantize(row, formats[f], scratch).SquaredError;
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        });
        return errors;
    }
}
