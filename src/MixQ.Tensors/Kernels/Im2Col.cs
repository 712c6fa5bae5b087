using System.Numerics.Tensors;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Lowers a convolution to a matrix product. For one sample image [C, H, W], the im2col matrix has one row per
/// (channel c, kernel row i, kernel column j) and one column per output pixel (oh, ow):
/// col[(c*KH + i)*KW + j, oh*OW + ow] = image[c, oh*strideH - padH + i, ow*strideW - padW + j] (0 outside).
/// Then output[OC, OH*OW] = weight[OC, C*KH*KW] * col. <see cref="Accumulate"/> (col2im) is the adjoint.
/// </summary>
public static class Im2Col
{
    /// <summary>Fills <paramref name="col"/> ([ColRows, ColCols], row-major) from <paramref name="image"/>.</summary>
    public static void Expand(ReadOnlySpan<float> image, in Conv2dGeometry g, Span<float> col)
    {
        int outW = g.OutW, plane = g.OutH * outW;
        for (int c = 0; c < g.Channels; c++)
        {
            var channel = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
            for (int i = 0; i < g.KernelH; i++)
            {
                var (rowStart, rowEnd) = g.ValidOutputRows(i);
                for (int j = 0; j < g.KernelW; j++)
                {
                    var (colStart, colEnd) = g.ValidOutputColumns(j);
                    var row = col.Slice(((c * g.KernelH + i) * g.KernelW + j) * plane, plane);
                    row[..(rowStart * outW)].Clear();
                    row[(rowEnd * outW)..].Clear();
                    int firstInputCol = colStart * g.StrideW - g.PadW + j;
                    int count = colEnd - colStart;
                    for (int oh = rowStart; oh < rowEnd; oh++)
                    {
                        var src = channel.Slice((oh * g.StrideH - g.PadH + i) * g.Width, g.Width);
                        var dst = row.Slice(oh * outW, outW);
                        dst[..colStart].Clear();
                        dst[colEnd..].Clear();
                        if (g.StrideW == 1)
                        {
                            src.Slice(firstInputCol, count).CopyTo(dst.Slice(colStart, count));
                        }
                        else
                        {
                            for (int t = 0; t < count; t++) dst[colStart + t] = src[firstInputCol + t * g.StrideW];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// col2im: adds every entry of <paramref name="col"/> back onto the image pixel it was read from (padding
    /// entries are dropped). Overlapping windows sum, which makes this the transpose of <see cref="Expand"/>.
    /// </summary>
    public static void Accumulate(ReadOnlySpan<float> col, in Conv2dGeometry g, Span<float> image)
    {
        int outW = g.OutW, plane = g.OutH * outW;
        for (int c = 0; c < g.Channels; c++)
        {
            var channel = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
            for (int i = 0; i < g.KernelH; i++)
            {
                var (rowStart, rowEnd) = g.ValidOutputRows(i);
                for (int j = 0; j < g.KernelW; j++)
                {
                    var (colStart, colEnd) = g.ValidOutputColumns(j);
                    var row = col.Slice(((c * g.KernelH + i) * g.KernelW + j) * plane, plane);
                    int firstInputCol = colStart * g.StrideW - g.PadW + j;
                    int count = colEnd - colStart;
                    for (int oh = rowStart; oh < rowEnd; oh++)
                    {
                        var dst = channel.Slice((oh * g.StrideH - g.PadH + i) * g.Width, g.Width);
                        var src = row.Slice(oh * outW + colStart, count);
                        if (g.StrideW == 1)
                        {
                            var target = dst.Slice(firstInputCol, count);
                            TensorPrimitives.Add(target, src, target);
                        }
                        else
                        {
                            for (int t = 0; t < count; t++) dst[firstInputCol + t * g.StrideW] += src[t];
                        }
                    }
                }
            }
        }
    }
}
