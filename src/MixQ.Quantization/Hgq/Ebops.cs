using System.Buffers;
using System.Runtime.CompilerServices;
using MixQ.NN.Layers;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// Effective bit operations (methods.md §4): the sum over every multiplication of a layer's forward pass (one
/// sample) of bits(activation) x bits(weight), activations counted by their full width, weights by the span of
/// their non-zero bits. A Conv2d counts each kernel tap at every output position; taps over zero padding multiply
/// a constant 0 and cost nothing. Pruned weights and constant-zero activations have 0 bits and drop out.
/// </summary>
public static class Ebops
{
    /// <summary>The layer's EBOPs as a scalar tensor, differentiable in every fractional bit count (for the loss).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: see HgqQuantizer
    public static Tensor Differentiable(HgqLayer layer)
    {
        var input = layer.Input.ElementBits();
        return layer.Layer switch
        {
            Linear linear => Dense(input, layer.Weight, linear),
            Conv2d conv => Ops.Sum(Ops.Conv2d(input.Reshape([1, .. layer.Input.ElementShape]), layer.Weight.ElementBits(conv.Weight), null, conv.Stride, conv.Padding, conv.Groups)),
            _ => throw new NotSupportedException($"EBOPs of {layer.Layer.GetType().Name}"),
        };
    }

    /// <summary>
    /// Dense EBOPs Σ_o Σ_j a_j b_oj as one op (a: the input's bits, b: the weights' non-zero spans), in place of a
    /// matrix product with one row, its sum and the weights' bits op, whose backward built an outer product the
    /// size of the weight only to mask it. Bits are small integers, so the column sums and the total are exact
    /// (double). Backward with upstream g: d a_j = g Σ_o b_oj; d f_oj = g a_j where b_oj &gt; 0 (straight-through
    /// through the rounding of f, as <see cref="HgqQuantizer.ElementBits"/>), written straight into f's gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: see HgqQuantizer
    private static Tensor Dense(Tensor inputBits, HgqQuantizer weightQuantizer, Linear linear)
    {
        int rows = linear.OutFeatures, cols = linear.InFeatures;
        var a = inputBits.Contiguous();
        var aSpan = a.Span;
        // The quantizer's spans from this step's forward pass are read in place (not copied); the backward checks they
        // are still the same array contents and otherwise computes them afresh.
        var spans = weightQuantizer.CurrentWeightSpans(linear.Weight, out int version);
        bool rented = spans is null;
        spans ??= ArrayPool<float>.Shared.Rent(rows * cols);
        if (rented) weightQuantizer.CopyWeightSpans(linear.Weight, spans.AsSpan(0, rows * cols));
        var columnSums = new float[cols]; // exact: at most rows x 24 per column
        for (int o = 0; o < rows; o++) TensorPrimitives.Add(columnSums, spans.AsSpan(o * cols, cols), columnSums);
        double total = 0;
        for (int j = 0; j < cols; j++) total += (double)aSpan[j] * columnSums[j];
        var result = Tensor.Scalar((float)total);
        var f = weightQuantizer.FractionalBits;
        if (!Graph.WillRecord(a, f))
        {
            if (rented) ArrayPool<float>.Shared.Return(spans);
            return result;
        }
        float[]? saved = spans;
        return Graph.Record("ebops_dense", result, [a, f], g =>
        {
            float gv = g.Contiguous().Span[0];
            // A second backward over the same graph finds rented spans given back, and the quantizer's own may have
            // been rewritten since (another forward pass): take them again.
            bool fresh = saved is null || !rented && !weightQuantizer.SpansUnchangedSince(linear.Weight, version);
            var b = fresh ? ArrayPool<float>.Shared.Rent(rows * cols) : saved!;
            if (fresh) weightQuantizer.CopyWeightSpans(linear.Weight, b.AsSpan(0, rows * cols));
            bool giveBack = fresh || rented;
            saved = null;
            if (a.RequiresGrad) GradientSink.Write(a, da => TensorPrimitives.Multiply(columnSums, gv, da.AsSpan(0, cols)));
            if (f.RequiresGrad)
            {
                var scaled = new float[cols];
                TensorPrimitives.Multiply(a.Span, gv, scaled);
                if (f.Size == rows * cols)
                    GradientSink.Write(f, df => BatchParallel.For(rows, BatchParallel.ChunksFor(rows, Math.Max(1, (1 << 15) / Math.Max(1, cols))), (_, start, end) =>
                    {
                        for (int o = start; o < end; o++)
                            GradientMasks.PassWherePositive(b.AsSpan(o * cols, cols), scaled, df.AsSpan(o * cols, cols));
                    }));
                else
                {
                    // Per-row or per-layer bits: each shared f gets the sum of its elements' gradients.
                    if (f.Size != rows && f.Size != 1)
                        throw new InvalidOperationException($"EBOPs: fractional bits of {f.Size} values for a {rows}x{cols} weight");
                    var perRow = new double[rows];
                    var row = new float[cols];
                    for (int o = 0; o < rows; o++)
                    {
                        GradientMasks.PassWherePositive(b.AsSpan(o * cols, cols), scaled, row);
                        double sum = 0;
                        foreach (float v in row) sum += v;
                        perRow[o] = sum;
                    }
                    GradientSink.Write(f, df =>
                    {
                        if (f.Size == rows) for (int o = 0; o < rows; o++) df[o] = (float)perRow[o];
                        else df[0] = (float)perRow.Sum();
                    });
                }
            }
            if (giveBack) ArrayPool<float>.Shared.Return(b);
        });
    }

    /// <summary>The layer's EBOPs counted exactly in integers.</summary>
    public static long Exact(HgqLayer layer)
    {
        var a = layer.Input.ElementBitCounts();
        var w = layer.Weight.ElementBitCounts(layer.Layer.Weight);
        switch (layer.Layer)
        {
            case Linear linear:
            {
                int rows = linear.OutFeatures, cols = linear.InFeatures;
                long total = 0;
                for (int j = 0; j < rows; j++)
                    for (int i = 0; i < cols; i++) total += (long)a[i] * w[j * cols + i];
                return total;
            }
            case Conv2d conv:
            {
                var shape = layer.Input.ElementShape;
                int height = shape[1], width = shape[2], k = conv.KernelSize, s = conv.Stride, pad = conv.Padding;
                int outH = (height + 2 * pad - k) / s + 1, outW = (width + 2 * pad - k) / s + 1;
                int inPerGroup = conv.InChannels / conv.Groups, outPerGroup = conv.OutChannels / conv.Groups;
                long total = 0;
                for (int co = 0; co < conv.OutChannels; co++)
                {
                    int group = co / outPerGroup;
                    for (int ci = 0; ci < inPerGroup; ci++)
                    {
                        int channel = group * inPerGroup + ci;
                        for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int wb = w[((co * inPerGroup + ci) * k + ky) * k + kx];
                            if (wb == 0) continue;
                            long sum = 0; // activation bits under this tap, over all output positions
                            for (int oy = 0; oy < outH; oy++)
                            {
                                int y = oy * s + ky - pad;
                                if (y < 0 || y >= height) continue;
                                for (int ox = 0; ox < outW; ox++)
                                {
                                    int x = ox * s + kx - pad;
                                    if (x < 0 || x >= width) continue;
                                    sum += a[(channel * height + y) * width + x];
                                }
                            }
                            total += sum * wb;
                        }
                    }
                }
                return total;
            }
            default:
                throw new NotSupportedException($"EBOPs of {layer.Layer.GetType().Name}");
        }
    }
}
