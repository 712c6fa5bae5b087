namespace MixQ.Tensors.Kernels;

/// <summary>
/// Sizes of one sample of a 2-D convolution or pooling window sweep over a [Channels, Height, Width] image.
/// Output size follows the usual floor formula: out = (in + 2 pad - kernel) / stride + 1.
/// </summary>
public readonly record struct Conv2dGeometry(
    int Channels, int Height, int Width, int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW)
{
    public int OutH => (Height + 2 * PadH - KernelH) / StrideH + 1;
    public int OutW => (Width + 2 * PadW - KernelW) / StrideW + 1;

    /// <summary>Rows of the im2col matrix: one per (channel, kernel row, kernel column).</summary>
    public int ColRows => Channels * KernelH * KernelW;

    /// <summary>Columns of the im2col matrix: one per output pixel.</summary>
    public int ColCols => OutH * OutW;

    /// <summary>A 1x1, stride-1, unpadded convolution reads the image itself as its im2col matrix.</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0;

    public void Validate()
    {
        if (Channels <= 0 || Height <= 0 || Width <= 0) throw new ArgumentException($"empty input image [{Channels}, {Height}, {Width}]");
        if (KernelH <= 0 || KernelW <= 0) throw new ArgumentException($"kernel {KernelH}x{KernelW} must be positive");
        if (StrideH <= 0 || StrideW <= 0) throw new ArgumentException($"stride {StrideH}x{StrideW} must be positive");
        if (PadH < 0 || PadW < 0) throw new ArgumentException($"padding {PadH}x{PadW} must not be negative");
        if (OutH <= 0 || OutW <= 0)
            throw new ArgumentException($"kernel {KernelH}x{KernelW} with padding {PadH}x{PadW} does not fit the {Height}x{Width} input");
    }
}
