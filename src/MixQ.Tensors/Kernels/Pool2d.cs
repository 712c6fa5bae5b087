using System.Runtime.Intrinsics;

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
        // The fast path serves inference (no positions) too: the window loop is scalar and branchy, and took 14% of a
        // cifarnet evaluation when evaluation still fell back to it.
        if (g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2 && g.PadH == 0 && g.PadW == 0)
            MaxForward2x2(plane, g, output, argmax);
        else
            MaxForwardWindows(plane, g, output, argmax);
    }

    /// <summary>
    /// Any window: the reference the 2x2 fast path is tested against. The first maximum in row-major order
    /// wins ties; a NaN wins over numbers (as in PyTorch), so a NaN input is never silently dropped.
    /// </summary>
    internal static void MaxForwardWindows(ReadOnlySpan<float> plane, in Conv2dGeometry g, Span<float> output, Span<int> argmax)
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

    /// <summary>
    /// The common 2x2, stride-2 window without padding. Comparisons on random data are unpredictable, so the
    /// window is reduced without branches: 16 (or 8) outputs at a time, deinterleaving even and odd input
    /// columns with a shuffle; "second wins" = second &gt; first or second is NaN, which reproduces the
    /// reference's order (top-left, top-right, bottom-left, bottom-right; first maximum wins, NaN wins).
    /// An empty <paramref name="argmax"/> skips the positions (inference).
    /// </summary>
    private static unsafe void MaxForward2x2(ReadOnlySpan<float> plane, in Conv2dGeometry g, Span<float> output, Span<int> argmax)
    {
        int outW = g.OutW, outH = g.OutH, width = g.Width;
        bool keep = !argmax.IsEmpty;
        if (plane.Length < 2 * outH * width || output.Length < outH * outW || (keep && argmax.Length < outH * outW))
            throw new ArgumentException("pooling spans are smaller than the geometry");
        fixed (float* planeBase = plane)
        fixed (float* outBase = output)
        fixed (int* idxBase = argmax)
        {
            for (int oh = 0; oh < outH; oh++)
            {
                int top = 2 * oh * width;
                float* r0 = planeBase + top;
                float* r1 = r0 + width;
                float* outRow = outBase + oh * outW;
                int* idxRow = idxBase + oh * outW;
                int ow = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    var unzip = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
                    var lane2 = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                    for (; ow + 16 <= outW; ow += 16)
                    {
                        int c = 2 * ow;
                        var a0 = Vector512.Shuffle(Vector512.Load(r0 + c), unzip);
                        var a1 = Vector512.Shuffle(Vector512.Load(r0 + c + 16), unzip);
                        var b0 = Vector512.Shuffle(Vector512.Load(r1 + c), unzip);
                        var b1 = Vector512.Shuffle(Vector512.Load(r1 + c + 16), unzip);
                        var (topValue, topOffset) = SecondWins(Vector512.Create(a0.GetLower(), a1.GetLower()), Vector512.Create(a0.GetUpper(), a1.GetUpper()));
                        var (bottomValue, bottomOffset) = SecondWins(Vector512.Create(b0.GetLower(), b1.GetLower()), Vector512.Create(b0.GetUpper(), b1.GetUpper()));
                        var bottom = Vector512.GreaterThan(bottomValue, topValue) | ~Vector512.Equals(bottomValue, bottomValue);
                        Vector512.ConditionalSelect(bottom, bottomValue, topValue).Store(outRow + ow);
                        if (!keep) continue;
                        var offset = Vector512.ConditionalSelect(bottom.AsInt32(), bottomOffset + Vector512.Create(width), topOffset);
                        (offset + lane2 + Vector512.Create(top + c)).Store(idxRow + ow);
                    }
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    var unzip = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
                    var lane2 = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
                    for (; ow + 8 <= outW; ow += 8)
                    {
                        int c = 2 * ow;
                        var a0 = Vector256.Shuffle(Vector256.Load(r0 + c), unzip);
                        var a1 = Vector256.Shuffle(Vector256.Load(r0 + c + 8), unzip);
                        var b0 = Vector256.Shuffle(Vector256.Load(r1 + c), unzip);
                        var b1 = Vector256.Shuffle(Vector256.Load(r1 + c + 8), unzip);
                        var (topValue, topOffset) = SecondWins(Vector256.Create(a0.GetLower(), a1.GetLower()), Vector256.Create(a0.GetUpper(), a1.GetUpper()));
                        var (bottomValue, bottomOffset) = SecondWins(Vector256.Create(b0.GetLower(), b1.GetLower()), Vector256.Create(b0.GetUpper(), b1.GetUpper()));
                        var bottom = Vector256.GreaterThan(bottomValue, topValue) | ~Vector256.Equals(bottomValue, bottomValue);
                        Vector256.ConditionalSelect(bottom, bottomValue, topValue).Store(outRow + ow);
                        if (!keep) continue;
                        var offset = Vector256.ConditionalSelect(bottom.AsInt32(), bottomOffset + Vector256.Create(width), topOffset);
                        (offset + lane2 + Vector256.Create(top + c)).Store(idxRow + ow);
                    }
                }
                for (; ow < outW; ow++)
                {
                    int c = 2 * ow;
                    float best = r0[c];
                    int at = top + c;
                    if (r0[c + 1] > best || float.IsNaN(r0[c + 1])) { best = r0[c + 1]; at = top + c + 1; }
                    if (r1[c] > best || float.IsNaN(r1[c])) { best = r1[c]; at = top + width + c; }
                    if (r1[c + 1] > best || float.IsNaN(r1[c + 1])) { best = r1[c + 1]; at = top + width + c + 1; }
                    outRow[ow] = best;
                    if (keep) idxRow[ow] = at;
                }
            }
        }
    }

    /// <summary>Per lane: the second value if it is greater or NaN, else the first; and 1 or 0 for which.</summary>
    private static (Vector512<float> Value, Vector512<int> Offset) SecondWins(Vector512<float> first, Vector512<float> second)
    {
        var wins = Vector512.GreaterThan(second, first) | ~Vector512.Equals(second, second);
        return (Vector512.ConditionalSelect(wins, second, first), -wins.AsInt32());
    }

    private static (Vector256<float> Value, Vector256<int> Offset) SecondWins(Vector256<float> first, Vector256<float> second)
    {
        var wins = Vector256.GreaterThan(second, first) | ~Vector256.Equals(second, second);
        return (Vector256.ConditionalSelect(wins, second, first), -wins.AsInt32());
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
