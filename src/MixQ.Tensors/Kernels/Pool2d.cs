namespace MixQ.Tensors.Kernels;

/// <summary>
/// Window sweeps over one image plane [H, W] (geometry with Channels = 1). Windows are clipped to the image, so
/// padding never wins a max and (for average pooling) is either counted as zeros or left out of the divisor.
/// </summary>
public static class Pool2d
{
    /// <summary>Max over each window; <paramref name="argmax"/> (if not empty) receives the winning flat index in the plane.</summary>
    public static void MaxForward(ReadOnlySpan<float> plane, in Conv2dGeometry g, Span<float> output, Span<int> argmax)
    {
        int outW = g.OutW;
        bool keep = !argmax.IsEmpty;
        for (int oh = 0; oh < g.OutH; oh++)
        {
            int h0 = oh * g.StrideH - g.PadH;
            int hs = Math.Max(h0, 0), he = Math.Min(h0 + g.KernelH, g.Height);
            for (int ow = 0; ow < outW; ow++)
            {
                int w0 = ow * g.StrideW - g.PadW;
                int ws = Math.Max(w0, 0), we = Math.Min(w0 + g.KernelW, g.Width);
                int best = hs * g.Width + ws;
                float bestValue = plane[best];
                for (int h = hs; h < he; h++)
                {
                    var row = plane.Slice(h * g.Width, g.Width);
                    for (int w = ws; w < we; w++)
                    {
                        // NaN wins, like PyTorch: a NaN input must not be silently dropped.
                        if (row[w] > bestValue || float.IsNaN(row[w]))
                        {
                            bestValue = row[w];
                            best = h * g.Width + w;
                        }
                    }
                }
                output[oh * outW + ow] = bestValue;
                if (keep) argmax[oh * outW + ow] = best;
            }
        }
    }

    /// <summary>Routes each output gradient to the input that won its window (adds; clear the plane first).</summary>
    public static void MaxBackward(ReadOnlySpan<float> gradOutput, ReadOnlySpan<int> argmax, Span<float> gradPlane)
    {
        for (int i = 0; i < gradOutput.Length; i++) gradPlane[argmax[i]] += gradOutput[i];
    }

    /// <summary>
    /// Window means. With <paramref name="countPadding"/> the divisor is always KH*KW (PyTorch's default
    /// count_include_pad=True); otherwise it is the number of real pixels in the window.
    /// </summary>
    public static void AvgForward(ReadOnlySpan<float> plane, in Conv2dGeometry g, bool countPadding, Span<float> output)
    {
        int outW = g.OutW;
        for (int oh = 0; oh < g.OutH; oh++)
        {
            int h0 = oh * g.StrideH - g.PadH;
            int hs = Math.Max(h0, 0), he = Math.Min(h0 + g.KernelH, g.Height);
            for (int ow = 0; ow < outW; ow++)
            {
                int w0 = ow * g.StrideW - g.PadW;
                int ws = Math.Max(w0, 0), we = Math.Min(w0 + g.KernelW, g.Width);
                float sum = 0f;
                for (int h = hs; h < he; h++)
                {
                    var row = plane.Slice(h * g.Width, g.Width);
                    for (int w = ws; w < we; w++) sum += row[w];
                }
                int divisor = countPadding ? g.KernelH * g.KernelW : (he - hs) * (we - ws);
                output[oh * outW + ow] = sum / divisor;
            }
        }
    }

    /// <summary>Spreads each output gradient evenly (same divisor as the forward) over its window; adds.</summary>
    public static void AvgBackward(ReadOnlySpan<float> gradOutput, in Conv2dGeometry g, bool countPadding, Span<float> gradPlane)
    {
        int outW = g.OutW;
        for (int oh = 0; oh < g.OutH; oh++)
        {
            int h0 = oh * g.StrideH - g.PadH;
            int hs = Math.Max(h0, 0), he = Math.Min(h0 + g.KernelH, g.Height);
            for (int ow = 0; ow < outW; ow++)
            {
                int w0 = ow * g.StrideW - g.PadW;
                int ws = Math.Max(w0, 0), we = Math.Min(w0 + g.KernelW, g.Width);
                int divisor = countPadding ? g.KernelH * g.KernelW : (he - hs) * (we - ws);
                float share = gradOutput[oh * outW + ow] / divisor;
                for (int h = hs; h < he; h++)
                {
                    var row = gradPlane.Slice(h * g.Width, g.Width);
                    for (int w = ws; w < we; w++) row[w] += share;
                }
            }
        }
    }
}
