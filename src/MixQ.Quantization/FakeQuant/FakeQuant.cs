using System.Buffers;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Scaling;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MixQ.Quantization;

/// <summary>
/// Differentiable fake quantization for quantization-aware training: the forward pass produces the quantized
/// values (still float), the backward pass uses the straight-through estimator (STE) of methods.md §1.
/// These types live in MixQ.Quantization (not a FakeQuant sub-namespace) so that the class name does not
/// collide with its folder's namespace, as Ops does in MixQ.Tensors.
/// </summary>
public static class FakeQuant
{
    private const int ElementsPerChunk = 1 << 15;

    /// <summary>A data input's gradient is requested entry by entry only while at most 1 in this many entries is clipped.</summary>
    private const int SparseGradientShare = 32;

    /// <summary>Activation backward passes below this many elements stay on the calling thread.</summary>
    private const int SerialActivationSize = 1 << 16;

    /// <summary>Row-wise weights with fixed (non-learned) scales: see the tensor-scale overload.</summary>
    public static Tensor RowWiseWeights(Tensor weight, IReadOnlyList<NumberFormat> rowFormats, float[] scales) =>
        RowWiseWeights(weight, rowFormats, Tensor.FromArray(scales, scales.Length));

    /// <summary>
    /// Quantizes row r of <paramref name="weight"/> (axis 0; the rest flattened) with format
    /// <paramref name="rowFormats"/>[r] and scale alpha_r = <paramref name="scale"/>[r]:
    /// y = alpha_r Q(t), t = fl(w / alpha_r) — bit-identical to <see cref="RowQuantizer.QuantizeWithScale"/>.
    /// <para>Backward (STE): dw = g where |t| &lt;= max|Q| (inside [-alpha max|Q|, alpha max|Q|]), 0 outside.
    /// When <paramref name="scale"/> requires a gradient it gets the LSQ one, dy/dalpha = q - t inside the range
    /// and sign(w) max|Q| = q outside, summed over the row and multiplied by <paramref name="scaleGradientFactor"/>
    /// (LSQ suggests 1 / sqrt(rowLength * levelsPerSide); 1 keeps the raw gradient).</para>
    /// </summary>
    public static Tensor RowWiseWeights(Tensor weight, IReadOnlyList<NumberFormat> rowFormats, Tensor scale, float scaleGradientFactor = 1f)
    {
        int rows = WeightRows.Count(weight), length = WeightRows.Length(weight);
        if (rowFormats.Count != rows)
            throw new ArgumentException($"{rowFormats.Count} row formats for a weight with {rows} rows", nameof(rowFormats));
        if (scale.Size != rows)
            throw new ArgumentException($"{scale.Size} scales for a weight with {rows} rows", nameof(scale));
        var w = weight.Contiguous();
        var s = scale.Contiguous();
        float[] alphas = s.Span.ToArray();
        for (int r = 0; r < rows; r++)
        {
            if (!(alphas[r] > 0f) || !float.IsFinite(alphas[r]))
                throw new MixQException($"row {r} of a weight has scale {alphas[r]}: scales must be positive and finite (training diverged: try a smaller --lr)");
        }
        var formats = rowFormats.ToArray();

        var y = Tensor.Uninitialized(w.ShapeArray());
        bool record = Graph.WillRecord(w, s);
        float[] ws = w.Storage, ys = y.Storage;
        int wo = w.Offset;
        int chunks = BatchParallel.ChunksFor(rows, Math.Max(1, ElementsPerChunk / Math.Max(1, length)));
        // One pass per row. The LSQ backward needs each weight's level q = Q(fl(w / alpha)) again; it recomputes a row's
        // levels into a row-sized buffer that stays in L1 rather than keeping a weight-sized array from here (one
        // write and one read of the whole weight less per step). Q(t) at scale 1 is the very q that Project(w, alpha)
        // multiplies by alpha, so the levels are the same bits either way.
        BatchParallel.For(rows, chunks, (_, start, end) =>
        {
            for (int r = start; r < end; r++)
                formats[r].Levels.Project(ws.AsSpan(wo + r * length, length), alphas[r], ys.AsSpan(r * length, length));
        });
        if (!record) return y;

        return Graph.Record("fake_quant_rows", y, [w, s], g =>
        {
            var gy = g.Contiguous();
            float[] gs = gy.Storage;
            int go = gy.Offset;
            var scaleGrad = s.RequiresGrad ? new float[rows] : null;
            void Rows(float[]? dw)
            {
                BatchParallel.For(rows, chunks, (_, start, end) =>
                {
                    float[]? q = scaleGrad is null ? null : ArrayPool<float>.Shared.Rent(length);
                    for (int r = start; r < end; r++)
                    {
                        int o = r * length;
                        float inv = 1f / alphas[r], maxQ = formats[r].Levels.MaxMagnitude;
                        var wRow = ws.AsSpan(wo + o, length);
                        var dwRow = dw is null ? [] : dw.AsSpan(o, length);
                        if (q is null)
                        {
                            FakeQuantGradients.WeightRow(wRow, inv, maxQ, gs.AsSpan(go + o, length), dwRow, []);
                            continue;
                        }
                        // The row's levels q = Q(fl(w * (1/alpha))), then one pass writes the mask and sums the LSQ products.
                        var qRow = q.AsSpan(0, length);
                        TensorPrimitives.Multiply(wRow, inv, qRow);
                        formats[r].Levels.Project(qRow, 1f, qRow);
                        scaleGrad![r] = (float)(FakeQuantGradients.WeightRowScaleSum(wRow, inv, maxQ, gs.AsSpan(go + o, length), dwRow, qRow) * scaleGradientFactor);
                    }
                    if (q is not null) ArrayPool<float>.Shared.Return(q);
                });
            }
            // The gradient received is dead after this backward: dw is written over it and it becomes w's gradient,
            // instead of a fresh weight-sized array (it may not be, e.g. when w already has a gradient).
            if (w.RequiresGrad && Graph.TryHandOver(gy, w)) Rows(gs);
            else if (w.RequiresGrad) GradientSink.Write(w, buffer => Rows(buffer));
            else Rows(null);
            if (scaleGrad is not null) GradientSink.Write(s, buffer => scaleGrad.CopyTo(buffer, 0));
        });
    }

    /// <summary>
    /// Fake-quantizes activations with clipping threshold a = <paramref name="clip"/> (one element).
    /// Unsigned (after ReLU): y = (a / n) round(clip(x, 0, a) n / a), n = 2^bits - 1 steps.
    /// Signed: y = (a / n) round(clip(x, -a, a) n / a), n = 2^(bits-1) - 1 steps per side.
    /// Rounding is half away from zero, like the weights.
    /// <para>Backward (STE + PACT): dx = g where 0 &lt;= x &lt; a (signed: -a &lt; x &lt; a), else 0;
    /// da = Σ g over x >= a (signed: Σ g sign(x) over |x| >= a) when <paramref name="clip"/> requires a gradient.</para>
    /// </summary>
    public static Tensor Activations(Tensor input, Tensor clip, int bits, bool signed)
    {
        if (bits is < NumberFormat.MinBits or > NumberFormat.MaxBits)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"activation bits must be between {NumberFormat.MinBits} and {NumberFormat.MaxBits}");
        if (clip.Size != 1) throw new ArgumentException("the clipping threshold must have exactly one element", nameof(clip));
        var x = input.Contiguous();
        var c = clip.Contiguous();
        float a = c.Span[0];
        if (!(a > 0f) || !float.IsFinite(a))
            throw new ArgumentOutOfRangeException(nameof(clip), a, "the clipping threshold must be positive and finite");
        int steps = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
        int minCode = signed ? -steps : 0;

        var y = Tensor.Uninitialized(x.ShapeArray());
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset, size = x.Size;
        int chunks = BatchParallel.ChunksFor(size, ElementsPerChunk);
        float inv = 1f / a;
        BatchParallel.For(size, chunks, (_, start, end) =>
            UniformRounding.Apply(xs.AsSpan(xo + start, end - start), inv, steps, minCode, steps, a, ys.AsSpan(start, end - start)));

        // Data input (the first layer): the backward needs the gradient only where the input was clipped, to train
        // the clip. Saying so lets the layer compute just those entries instead of a full input-gradient GEMM.
        // Past a few percent of the entries a full GEMM is cheaper than one dot product per entry: no hint then.
        int[]? clipped = null;
        if (!x.RequiresGrad && c.RequiresGrad && GradMode.Enabled)
        {
            clipped = FakeQuantGradients.ClippedIndices(xs.AsSpan(xo, size), a, signed);
            if (clipped.Length <= size / SparseGradientShare) y.GradientSupport = clipped;
        }
        return Graph.Record("fake_quant_act", y, [x, c], g =>
        {
            var gy = g.Contiguous();
            float[] gs = gy.Storage;
            int go = gy.Offset;
            // One pass for both gradients. Fixed chunk boundaries and an in-order sum of the partials: the same bits
            // on any thread count.
            int reduce = Math.Min(BatchParallel.ReductionChunks, Math.Max(1, size));
            var partials = new double[reduce];
            void Pass(float[]? dx)
            {
                void Chunk(int chunk, int start, int end) => partials[chunk] = FakeQuantGradients.Activation(xs.AsSpan(xo + start, end - start), a, signed,
                    gs.AsSpan(go + start, end - start), dx is null ? [] : dx.AsSpan(start, end - start));
                // Small tensors run the same chunks in order on this thread: the same sums, without waking workers.
                if (size < SerialActivationSize)
                    for (int k = 0; k < reduce; k++) Chunk(k, BatchParallel.ChunkStart(size, reduce, k), BatchParallel.ChunkStart(size, reduce, k + 1));
                else BatchParallel.For(size, reduce, Chunk);
            }
            if (x.RequiresGrad) GradientSink.Write(x, dx => Pass(dx));
            // A data input: only the clipped entries (listed in the forward) add to the clip's gradient; summing them
            // chunk by chunk in index order is exactly what the full scan adds.
            else if (clipped is not null) FakeQuantGradients.ClippedSums(clipped, gs.AsSpan(go, size), xs.AsSpan(xo, size), a, size, partials);
            else if (c.RequiresGrad) Pass(null);
            if (c.RequiresGrad)
            {
                double total = 0;
                foreach (double p in partials) total += p;
                GradientSink.Write(c, da => da[0] = (float)total);
            }
        });
    }
}
