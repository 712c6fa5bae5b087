using MixQ.Tensors.Kernels;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The exact 64-bit path of <see cref="IntegerEngine"/>: each layer on [count, per-sample size] tensors of longs
/// (codes or accumulators), plain integer arithmetic. It is the reference the int8 path is tested against and runs
/// the layers that path does not take. <c>parallel</c> splits samples over threads (results never depend on it).
/// </summary>
internal static class WideLayers
{
    public static long[] Run(IntLayer layer, PreparedMatrix? matrix, long[] x, int count, int[] inShape, int[] outShape, bool parallel)
    {
        int inSize = Size(inShape), outSize = Size(outShape);
        switch (layer)
        {
            case IntDense:
                return Dense(matrix!, x, count, parallel);
            case IntConv2d c:
                return Conv(c, matrix!, x, count, inShape, outShape, parallel);
            case IntRequantize r:
            {
                var y = new long[(long)count * outSize];
                int inner = r.Channels == 1 ? inSize : inSize / r.Channels;
                For(count, parallel, (start, end) =>
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
            case IntShiftRequantize q:
            {
                var y = new long[(long)count * outSize];
                var f = q.Formats;
                For(count, parallel, (start, end) =>
                {
                    for (int n = start; n < end; n++)
                    {
                        long at = (long)n * inSize;
                        for (int e = 0; e < inSize; e++) y[at + e] = f.Apply(e, x[at + e]);
                    }
                });
                return y;
            }
            case IntClamp k:
            {
                var y = new long[(long)count * outSize];
                for (int i = 0; i < y.Length; i++) y[i] = Math.Clamp(x[i], k.Min, k.Max);
                return y;
            }
            case IntMaxPool2d p:
                return MaxPool(p, x, count, inShape, outShape, parallel);
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

    private static long[] Dense(PreparedMatrix m, long[] x, int count, bool parallel)
    {
        var y = new long[(long)count * m.Rows];
        For(count, parallel, (start, end) =>
        {
            int n = end - start;
            m.RunWide(x.AsSpan(start * m.Length, n * m.Length), n, y.AsSpan(start * m.Rows, n * m.Rows), m.Rows, 1);
        });
        return y;
    }

    private static long[] Conv(IntConv2d c, PreparedMatrix m, long[] x, int count, int[] inShape, int[] outShape, bool parallel)
    {
        int channels = inShape[0], h = inShape[1], w = inShape[2];
        int oh = outShape[1], ow = outShape[2], pixels = oh * ow, k = c.KernelSize;
        int inSize = channels * h * w, outSize = m.Rows * pixels;
        var y = new long[(long)count * outSize];
        For(count, parallel, (start, end) =>
        {
            // im2col: row p = output pixel, column (ci, ki, kj) as in the weight rows; padding is code 0.
            var cols = new long[pixels * m.Length];
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
                                    cols[col] = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : image[(ci * h + iy) * w + ix];
                                }
                            }
                    }
                m.RunWide(cols, pixels, y.AsSpan(n * outSize, outSize), 1, pixels);
            }
        });
        return y;
    }

    private static long[] MaxPool(IntMaxPool2d p, long[] x, int count, int[] inShape, int[] outShape, bool parallel)
    {
        int channels = inShape[0], h = inShape[1], w = inShape[2], oh = outShape[1], ow = outShape[2];
        var y = new long[(long)count * channels * oh * ow];
        For(count, parallel, (start, end) =>
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

    private static void For(int count, bool parallel, Action<int, int> body)
    {
        if (!parallel)
        {
            body(0, count);
            return;
        }
        BatchParallel.For(count, BatchParallel.ChunksFor(count, 16), (_, start, end) => body(start, end));
    }

    public static int Size(int[] shape) => shape.Aggregate(1, (a, b) => a * b);
}
