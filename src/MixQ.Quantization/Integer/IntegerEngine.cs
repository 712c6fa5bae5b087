using System.Buffers;
using MixQ.Tensors.Kernels;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Runs an <see cref="IntegerModel"/>: the float input is quantized once, then every layer works on 64-bit integer
/// tensors (codes or accumulators) with exact integer arithmetic; Dense/Conv2d use the int8 SIMD GEMM
/// (<see cref="Int8Dot"/>) where the weights allow, else the exact 64-bit multiply / shift-add path. Samples are
/// processed in mini-batches, split over threads by sample; results do not depend on the thread count.
/// </summary>
public sealed class IntegerEngine
{
    private const int MiniBatch = 256;
    private readonly PreparedMatrix?[] _matrices;
    private readonly int[][] _shapes;

    /// <param name="simd">false forces the 64-bit path everywhere (a reference for tests and benchmarks).</param>
    public IntegerEngine(IntegerModel model, bool simd = true)
    {
        Model = model;
        var ranges = model.Analyze();
        _shapes = ranges.Select(r => r.Shape).ToArray();
        _matrices = model.Layers.Select(l => l switch
        {
            IntDense d => new PreparedMatrix(d.Weights, d.Bias, d.Input, simd),
            IntConv2d c => new PreparedMatrix(c.Weights, c.Bias, c.Input, simd),
            _ => null,
        }).ToArray();
    }

    public IntegerModel Model { get; }

    /// <summary>How many Dense/Conv2d layers run on the int8 SIMD path (the rest use the 64-bit path).</summary>
    public int SimdLayers => _matrices.Count(m => m is { Simd: true });

    /// <summary>Called after the entrance (layer -1) and after every layer with that layer's output for the mini-batch.</summary>
    public Action<int, long[], int>? Trace { get; set; }

    /// <summary>Integer logits [count, classes] for <paramref name="count"/> samples laid out one after another.</summary>
    public long[] Logits(ReadOnlySpan<float> inputs, int count)
    {
        int sampleSize = Size(Model.InputShape);
        if (inputs.Length != (long)count * sampleSize)
            throw new MixQException($"integer inference: {inputs.Length} input values for {count} samples of [{string.Join(", ", Model.InputShape)}]");
        var logits = new long[(long)count * Model.NumClasses];
        for (int start = 0; start < count; start += MiniBatch)
        {
            int n = Math.Min(MiniBatch, count - start);
            var result = RunBatch(inputs.Slice(start * sampleSize, n * sampleSize), n);
            result.AsSpan(0, n * Model.NumClasses).CopyTo(logits.AsSpan(start * Model.NumClasses));
        }
        return logits;
    }

    /// <summary>Arg-max of each sample's logits (lowest index on ties).</summary>
    public int[] Predict(ReadOnlySpan<float> inputs, int count)
    {
        var logits = Logits(inputs, count);
        int k = Model.NumClasses;
        var predictions = new int[count];
        for (int i = 0; i < count; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
            predictions[i] = best;
        }
        return predictions;
    }

    private long[] RunBatch(ReadOnlySpan<float> inputs, int count)
    {
        var x = new long[inputs.Length];
        Model.Input.Quantize(inputs, x);
        Trace?.Invoke(-1, x, count);
        for (int l = 0; l < Model.Layers.Count; l++)
        {
            x = Run(l, x, count);
            Trace?.Invoke(l, x, count);
        }
        return x;
    }

    private long[] Run(int index, long[] x, int count)
    {
        var layer = Model.Layers[index];
        int[] inShape = _shapes[index], outShape = _shapes[index + 1];
        int inSize = Size(inShape), outSize = Size(outShape);
        switch (layer)
        {
            case IntDense:
                return Dense(_matrices[index]!, x, count);
            case IntConv2d c:
                return Conv(c, _matrices[index]!, x, count, inShape, outShape);
            case IntRequantize r:
            {
                var y = new long[x.Length];
                int inner = r.Channels == 1 ? inSize : inSize / r.Channels;
                Parallel(count, (start, end) =>
                {
                    for (int n = start; n < end; n++)
                        for (int c = 0; c < r.Channels; c++)
                        {
                            int m = r.Multipliers[c], s = r.Shifts[c];
                            long offset = r.Offsets[c];
                            for (long i = (long)n * inSize + (long)c * inner, stop = i + inner; i < stop; i++)
                                y[i] = Requantizer.Apply(x[i], m, s, offset, r.Min, r.Max);
                        }
                });
                return y;
            }
            case IntClamp k:
            {
                var y = new long[x.Length];
                for (int i = 0; i < x.Length; i++) y[i] = Math.Clamp(x[i], k.Min, k.Max);
                return y;
            }
            case IntMaxPool2d p:
                return MaxPool(p, x, count, inShape, outShape);
            case IntGlobalSumPool:
            {
                var y = new long[(long)count * outSize];
                int pixels = inShape[1] * inShape[2];
                for (int i = 0; i < y.Length; i++)
                {
                    long sum = 0;
                    for (int q = 0; q < pixels; q++) sum += x[(long)i * pixels + q];
                    y[i] = sum;
                }
                return y;
            }
            case IntFlatten:
                return x;
            default:
                throw new MixQException($"integer inference: unknown layer type {layer.GetType().Name}");
        }
    }

    private static long[] Dense(PreparedMatrix m, long[] x, int count)
    {
        var y = new long[(long)count * m.Rows];
        Parallel(count, (start, end) =>
        {
            int n = end - start;
            var xs = x.AsSpan(start * m.Length, n * m.Length);
            var ys = y.AsSpan(start * m.Rows, n * m.Rows);
            if (!m.Simd)
            {
                m.RunWide(xs, n, ys, m.Rows, 1);
                return;
            }
            var bytes = ArrayPool<byte>.Shared.Rent(n * m.Length);
            var scratch = ArrayPool<int>.Shared.Rent(n * m.Rows);
            for (int i = 0; i < xs.Length; i++) bytes[i] = (byte)(xs[i] + m.Offset);
            m.RunSimd(bytes, n, scratch, ys, m.Rows, 1);
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<int>.Shared.Return(scratch);
        });
        return y;
    }

    private static long[] Conv(IntConv2d c, PreparedMatrix m, long[] x, int count, int[] inShape, int[] outShape)
    {
        int channels = inShape[0], h = inShape[1], w = inShape[2];
        int oh = outShape[1], ow = outShape[2], pixels = oh * ow, k = c.KernelSize;
        int inSize = channels * h * w, outSize = m.Rows * pixels;
        var y = new long[(long)count * outSize];
        Parallel(count, (start, end) =>
        {
            // im2col: row p = output pixel, column (ci, ki, kj) as in the weight rows; padding is code 0. The SIMD path
            // writes bytes (code + offset) directly, the 64-bit path longs.
            var cols = m.Simd ? null : new long[pixels * m.Length];
            var bytes = m.Simd ? new byte[pixels * m.Length] : null;
            var scratch = m.Simd ? new int[pixels * m.Rows] : null;
            for (int n = start; n < end; n++)
            {
                var image = x.AsSpan(n * inSize, inSize);
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int col = (oy * ow + ox) * m.Length;
                        for (int ci = 0; ci < channels; ci++)
                            for (int ki = 0; ki < k; ki++)
                            {
                                int iy = oy * c.Stride + ki - c.Padding;
                                for (int kj = 0; kj < k; kj++, col++)
                                {
                                    int ix = ox * c.Stride + kj - c.Padding;
                                    long code = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : image[(ci * h + iy) * w + ix];
                                    if (bytes is not null) bytes[col] = (byte)(code + m.Offset);
                                    else cols![col] = code;
                                }
                            }
                    }
                var output = y.AsSpan(n * outSize, outSize);
                if (m.Simd) m.RunSimd(bytes!, pixels, scratch!, output, 1, pixels);
                else m.RunWide(cols!, pixels, output, 1, pixels);
            }
        });
        return y;
    }

    private static long[] MaxPool(IntMaxPool2d p, long[] x, int count, int[] inShape, int[] outShape)
    {
        int channels = inShape[0], h = inShape[1], w = inShape[2], oh = outShape[1], ow = outShape[2];
        var y = new long[(long)count * channels * oh * ow];
        Parallel(count, (start, end) =>
        {
            for (int n = start; n < end; n++)
                for (int ch = 0; ch < channels; ch++)
                {
                    int plane = (n * channels + ch) * h * w, outPlane = (n * channels + ch) * oh * ow;
                    for (int oy = 0; oy < oh; oy++)
                        for (int ox = 0; ox < ow; ox++)
                        {
                            long best = long.MinValue;
                            for (int ki = 0; ki < p.KernelSize; ki++)
                            {
                                int iy = oy * p.Stride + ki - p.Padding;
                                if (iy < 0 || iy >= h) continue;
                                for (int kj = 0; kj < p.KernelSize; kj++)
                                {
                                    int ix = ox * p.Stride + kj - p.Padding;
                                    if (ix >= 0 && ix < w) best = Math.Max(best, x[plane + iy * w + ix]);
                                }
                            }
                            y[outPlane + oy * ow + ox] = best;
                        }
                }
        });
        return y;
    }

    private static void Parallel(int count, Action<int, int> body)
    {
        int chunks = BatchParallel.ChunksFor(count, 16);
        BatchParallel.For(count, chunks, (_, start, end) => body(start, end));
    }

    private static int Size(int[] shape) => shape.Aggregate(1, (a, b) => a * b);
}
