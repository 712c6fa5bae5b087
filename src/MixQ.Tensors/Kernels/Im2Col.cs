using System.Buffers;
using System.Runtime.Intrinsics;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Lowers a convolution to a matrix product. For one sample image [C, H, W], the im2col matrix has one row per
/// (channel c, kernel row i, kernel column j) and one column per output pixel (oh, ow):
/// col[(c*KH + i)*KW + j, oh*OW + ow] = image[c, oh*strideH - padH + i, ow*strideW - padW + j] (0 outside).
/// Then output[OC, OH*OW] = weight[OC, C*KH*KW] * col. <see cref="Accumulate"/> (col2im) is the adjoint.
/// <para>
/// Batched forms put several samples side by side (one GEMM for all of them): the matrix is
/// [ColRows, count * ColCols] and sample t owns columns [t * ColCols, (t + 1) * ColCols).
/// </para>
/// <para>
/// The images are first copied into zero-bordered scratch images, so every window read is in bounds and each
/// output row is a branch-free copy (one vector load/store for the 4- and 8-pixel rows of deep layers, where
/// clipping arithmetic and memmove calls would cost more than the copy). The matrix is written row by row
/// across all samples, so its memory is streamed once instead of revisited per sample.
/// </para>
/// </summary>
public static unsafe class Im2Col
{
    /// <summary>Fills <paramref name="col"/> ([ColRows, ColCols], row-major) from <paramref name="image"/>.</summary>
    public static void Expand(ReadOnlySpan<float> image, in Conv2dGeometry g, Span<float> col) => ExpandBatch(image, 1, g, col);

    /// <summary>Fills the [ColRows, count * ColCols] matrix <paramref name="col"/> from <paramref name="count"/> consecutive images.</summary>
    public static void ExpandBatch(ReadOnlySpan<float> images, int count, in Conv2dGeometry g, Span<float> col)
    {
        CheckSizes(images.Length, col.Length, count, g);
        ExpandPadded(images, count, g, col);
    }

    /// <summary>
    /// col2im: adds every entry of <paramref name="col"/> back onto the image pixel it was read from (padding
    /// entries are dropped). Overlapping windows sum, which makes this the transpose of <see cref="Expand"/>.
    /// </summary>
    public static void Accumulate(ReadOnlySpan<float> col, in Conv2dGeometry g, Span<float> image) => AccumulateBatch(col, 1, g, image);

    /// <summary>The transpose of <see cref="ExpandBatch"/>: adds into <paramref name="count"/> consecutive images.</summary>
    public static void AccumulateBatch(ReadOnlySpan<float> col, int count, in Conv2dGeometry g, Span<float> images)
    {
        CheckSizes(images.Length, col.Length, count, g);
        AccumulatePadded(col, count, g, images);
    }

    private static void ExpandPadded(ReadOnlySpan<float> images, int count, in Conv2dGeometry g, Span<float> col)
    {
        int hp = g.Height + 2 * g.PadH, wp = g.Width + 2 * g.PadW;
        bool pad = g.PadH > 0 || g.PadW > 0;
        float[]? padded = pad ? ArrayPool<float>.Shared.Rent(count * g.Channels * hp * wp) : null;
        try
        {
            int outH = g.OutH, outW = g.OutW, sh = g.StrideH, sw = g.StrideW;
            int sampleStride = g.Channels * hp * wp;
            fixed (float* source = images)
            fixed (float* paddedBase = padded)
            fixed (float* colBase = col)
            {
                float* imageBase = source;
                if (pad)
                {
                    // Zero everything, then copy each plane into the interior.
                    int planes = count * g.Channels;
                    new Span<float>(paddedBase, planes * hp * wp).Clear();
                    for (int p = 0; p < planes; p++)
                        CopyRows(source + (long)p * g.Height * g.Width, g.Width, 1,
                            paddedBase + (long)p * hp * wp + g.PadH * wp + g.PadW, wp, g.Height, g.Width);
                    imageBase = paddedBase;
                }
                float* row = colBase;
                for (int c = 0; c < g.Channels; c++)
                for (int i = 0; i < g.KernelH; i++)
                for (int j = 0; j < g.KernelW; j++)
                {
                    // One matrix row across every sample: sequential writes.
                    for (int t = 0; t < count; t++)
                    {
                        float* src = imageBase + (long)t * sampleStride + (c * hp + i) * wp + j;
                        CopyRows(src, sh * wp, sw, row, outW, outH, outW);
                        row += outH * outW;
                    }
                }
            }
        }
        finally
        {
            if (padded is not null) ArrayPool<float>.Shared.Return(padded);
        }
    }

    private static void AccumulatePadded(ReadOnlySpan<float> col, int count, in Conv2dGeometry g, Span<float> images)
    {
        int hp = g.Height + 2 * g.PadH, wp = g.Width + 2 * g.PadW;
        bool pad = g.PadH > 0 || g.PadW > 0;
        float[]? padded = pad ? ArrayPool<float>.Shared.Rent(count * g.Channels * hp * wp) : null;
        try
        {
            int outH = g.OutH, outW = g.OutW, sh = g.StrideH, sw = g.StrideW;
            int sampleStride = g.Channels * hp * wp;
            fixed (float* target = images)
            fixed (float* paddedBase = padded)
            fixed (float* colBase = col)
            {
                float* imageBase = target;
                if (pad)
                {
                    new Span<float>(paddedBase, count * sampleStride).Clear();
                    imageBase = paddedBase;
                }
                float* row = colBase;
                for (int c = 0; c < g.Channels; c++)
                for (int i = 0; i < g.KernelH; i++)
                for (int j = 0; j < g.KernelW; j++)
                {
                    for (int t = 0; t < count; t++)
                    {
                        float* dst = imageBase + (long)t * sampleStride + (c * hp + i) * wp + j;
                        AddRows(row, outW, dst, sh * wp, sw, outH, outW);
                        row += outH * outW;
                    }
                }
                if (pad)
                {
                    // Fold the interior back; what landed on the border belonged to padding.
                    for (int p = 0; p < count * g.Channels; p++)
                        AddRows(paddedBase + (long)p * hp * wp + g.PadH * wp + g.PadW, wp,
                            target + (long)p * g.Height * g.Width, g.Width, 1, g.Height, g.Width);
                }
            }
        }
        finally
        {
            if (padded is not null) ArrayPool<float>.Shared.Return(padded);
        }
    }

    /// <summary>
    /// Copies <paramref name="rows"/> rows of <paramref name="width"/> elements: source rows
    /// <paramref name="srcRowStep"/> apart with elements <paramref name="srcStep"/> apart, destination rows
    /// <paramref name="dstRowStep"/> apart and contiguous. Unit-step rows of 4 and 8 elements (deep layers) are
    /// one vector load/store each; longer ones use 512-bit vectors.
    /// </summary>
    private static void CopyRows(float* src, int srcRowStep, int srcStep, float* dst, int dstRowStep, int rows, int width)
    {
        if (srcStep == 1 && width == 4 && Vector128.IsHardwareAccelerated)
        {
            for (int r = 0; r < rows; r++, src += srcRowStep, dst += dstRowStep) Vector128.Store(Vector128.Load(src), dst);
        }
        else if (srcStep == 1 && width == 8 && Vector256.IsHardwareAccelerated)
        {
            for (int r = 0; r < rows; r++, src += srcRowStep, dst += dstRowStep) Vector256.Store(Vector256.Load(src), dst);
        }
        else if (srcStep == 1 && width >= 16 && Vector512.IsHardwareAccelerated)
        {
            int vectors = width & ~15;
            for (int r = 0; r < rows; r++, src += srcRowStep, dst += dstRowStep)
            {
                int q = 0;
                for (; q < vectors; q += 16) Vector512.Store(Vector512.Load(src + q), dst + q);
                for (; q < width; q++) dst[q] = src[q];
            }
        }
        else
        {
            for (int r = 0; r < rows; r++, src += srcRowStep, dst += dstRowStep)
                for (int q = 0; q < width; q++) dst[q] = src[q * srcStep];
        }
    }

    /// <summary>
    /// The adjoint of <see cref="CopyRows"/>: adds contiguous source rows (<paramref name="srcRowStep"/> apart)
    /// onto destination rows <paramref name="dstRowStep"/> apart whose elements are <paramref name="dstStep"/> apart.
    /// </summary>
    private static void AddRows(float* src, int srcRowStep, float* dst, int dstRowStep, int dstStep, int rows, int width)
    {
        if (dstStep == 1 && width == 4 && Vector128.IsHardwareAccelerated)
        {
            for (int r = 0; r < rows; r++, src += srcRowStep, dst += dstRowStep) Vector128.Store(Vector128.Load(dst) + Vector128.Load(src), dst);
        }
        else if (dstStep == 1 && width == 8 && Vector256.IsHardwareAccelerated)
        {
            for (int r = 0; r < rows; r++, src += srcRowStep, dst += dstRowStep) Vector256.Store(Vector256.Load(dst) + Vector256.Load(src), dst);
        }
        else if (dstStep == 1 && width >= 16 && Vector512.IsHardwareAccelerated)
        {
            int vectors = width & ~15;
            for (int r = 0; r < rows; r++, src += srcRowStep, dst += dstRowStep)
            {
                int q = 0;
                for (; q < vectors; q += 16) Vector512.Store(Vector512.Load(dst + q) + Vector512.Load(src + q), dst + q);
                for (; q < width; q++) dst[q] += src[q];
            }
        }
        else
        {
            for (int r = 0; r < rows; r++, src += srcRowStep, dst += dstRowStep)
                for (int q = 0; q < width; q++) dst[q * dstStep] += src[q];
        }
    }

    /// <summary>Pointer loops skip bounds checks, so the extents are checked once up front.</summary>
    private static void CheckSizes(int imagesLength, int colLength, int count, in Conv2dGeometry g)
    {
        int imageSize = g.Channels * g.Height * g.Width;
        if (count < 1 || imagesLength < count * imageSize)
            throw new ArgumentException($"image span of {imagesLength} does not hold {count} images [{g.Channels}, {g.Height}, {g.Width}]");
        if ((long)g.ColRows * count * g.ColCols > colLength)
            throw new ArgumentException($"column matrix span of {colLength} cannot hold [{g.ColRows}, {count * g.ColCols}]");
    }
}
