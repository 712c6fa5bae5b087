using System.Buffers;
using MixQ.Quantization.NumberSystems;
using MixQ.Tensors;
using MixQ.Tensors.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MixQ.Quantization.Scaling;

/// <summary>
/// Quantizes one row (or every row of a weight) as w ≈ alpha * q, q ∈ Q(format), alpha chosen per row.
/// The default scale is the MSE-optimal one (<see cref="ScaleSearch"/>); the squared error of each row is
/// returned because the row-assignment rules compare it across formats.
/// </summary>
public static class RowQuantizer
{
    /// <summary>Minimum elements per parallel chunk, so small layers stay on the calling thread.</summary>
    private const int ElementsPerChunk = 1 << 14;

    /// <summary>
    /// Quantizes <paramref name="row"/> with its MSE-optimal scale into <paramref name="output"/>. Never worse than
    /// the max-abs scale (both are measured with the real projection and the better one is kept). An all-zero
    /// (or empty) row gets scale 1 and error 0: any positive scale represents it exactly.
    /// </summary>
    public static (float Scale, double SquaredError) Quantize(ReadOnlySpan<float> row, NumberFormat format, Span<float> output)
    {
        if (output.Length < row.Length) throw new ArgumentException("output is shorter than the row", nameof(output));
        var levels = format.Levels;
        double optimal;
        using (var sorted = new SortedMagnitudes(row))
        {
            if (!float.IsFinite(sorted.Max)) throw new ArgumentException("row contains a non-finite weight", nameof(row));
            optimal = ScaleSearch.Optimal(sorted, levels);
        }
        if (optimal == 0)
        {
            output[..row.Length].Clear();
            return (1f, 0.0);
        }

        float best = (float)optimal;
        double bestError = QuantizeWithScale(row, format, best, output);
        float maxAbs = MaxAbsScale(row, format);
        if (maxAbs != best)
        {
            var scratch = ArrayPool<float>.Shared.Rent(row.Length);
            try
            {
                var other = scratch.AsSpan(0, row.Length);
                double e = QuantizeWithScale(row, format, maxAbs, other);
                if (e < bestError)
                {
                    other.CopyTo(output);
                    (best, bestError) = (maxAbs, e);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }
        return (best, bestError);
    }

    /// <summary>Quantizes with a given scale; returns Σ (w - output)^2 (in double).</summary>
    public static double QuantizeWithScale(ReadOnlySpan<float> row, NumberFormat format, float scale, Span<float> output)
    {
        format.Levels.Project(row, scale, output);
        return SquaredDistance(row, output[..row.Length]);
    }

    /// <summary>The max-abs scale max|w| / max|Q| (the largest weight lands on the largest level); 1 for a zero row.</summary>
    public static float MaxAbsScale(ReadOnlySpan<float> row, NumberFormat format)
    {
        float max = row.IsEmpty ? 0f : MathF.Abs(TensorPrimitives.MaxMagnitude(row));
        return max > 0 ? max / format.Levels.MaxMagnitude : 1f;
    }

    /// <summary>Every row of <paramref name="weight"/> with the same format (e.g. to compare formats row by row).</summary>
    public static RowQuantization QuantizeRows(Tensor weight, NumberFormat format) =>
        QuantizeRows(weight, Enumerable.Repeat(format, WeightRows.Count(weight)).ToArray());

    /// <summary>Each row r of <paramref name="weight"/> with its own format <paramref name="rowFormats"/>[r], rows in parallel.</summary>
    public static RowQuantization QuantizeRows(Tensor weight, IReadOnlyList<NumberFormat> rowFormats)
    {
        int rows = WeightRows.Count(weight), length = WeightRows.Length(weight);
        if (rowFormats.Count != rows)
            throw new ArgumentException($"{rowFormats.Count} row formats for a weight with {rows} rows", nameof(rowFormats));
        var w = weight.Contiguous();
        var quantized = Tensor.Uninitialized(w.ShapeArray());
        var scales = new float[rows];
        var errors = new double[rows];
        float[] src = w.Storage, dst = quantized.Storage;
        int srcOffset = w.Offset, dstOffset = quantized.Offset;
        int chunks = BatchParallel.ChunksFor(rows, Math.Max(1, ElementsPerChunk / Math.Max(1, length)));
        BatchParallel.For(rows, chunks, (_, start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                (scales[r], errors[r]) = Quantize(
                    src.AsSpan(srcOffset + r * length, length), rowFormats[r], dst.AsSpan(dstOffset + r * length, length));
            }
        });
        return new RowQuantization(quantized, scales, errors, rowFormats.ToArray());
    }

    /// <summary>Σ (a - b)^2 accumulated in double: the row errors are compared across formats, often at 1e-6 relative.</summary>
    internal static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
