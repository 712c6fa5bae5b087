using System.Buffers;
using System.Numerics.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as in PyTorch) of <paramref name="input"/> [N, C, H, W] with
    /// <paramref name="weight"/> [OC, C/groups, KH, KW] plus an optional <paramref name="bias"/> [OC];
    /// result [N, OC, OH, OW] with OH = (H + 2 padding - KH) / stride + 1.
    /// <para>
    /// Each sample is lowered with im2col and multiplied by the weight matrix (one GEMM per group). Samples run
    /// in parallel with single-threaded GEMMs, which keeps every core busy without nested parallelism; small
    /// feature maps put several samples side by side in one GEMM (see <see cref="ConvTileColumns"/>).
    /// 1x1 stride-1 unpadded convolutions skip im2col (the image already is the column matrix).
    /// Backward: dW = sum_n dY_n col_n^T, dcol_n = W^T dY_n folded back by col2im, db = sum of dY.
    /// Weight gradients are accumulated per batch chunk whose boundaries depend only on the shapes, and summed
    /// in chunk order, so results are bit-identical for any thread count (see <see cref="BatchParallel"/>).
    /// </para>
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int groups = 1)
    {
        if (input.Rank != 4) throw new ArgumentException($"conv2d input must be [N, C, H, W], got {ShapeUtil.Format(input.Shape)}");
        if (weight.Rank != 4) throw new ArgumentException($"conv2d weight must be [OC, C/groups, KH, KW], got {ShapeUtil.Format(weight.Shape)}");
        int n = input.Dim(0), channels = input.Dim(1), outChannels = weight.Dim(0);
        if (groups < 1 || channels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups={groups} must divide input channels {channels} and output channels {outChannels}");
        if (weight.Dim(1) * groups != channels)
            throw new ArgumentException($"conv2d weight {ShapeUtil.Format(weight.Shape)} expects {weight.Dim(1) * groups} input channels, input {ShapeUtil.Format(input.Shape)} has {channels}");
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != outChannels))
            throw new ArgumentException($"conv2d bias must be [{outChannels}], got {ShapeUtil.Format(bias.Shape)}");

        var geo = new Conv2dGeometry(channels, input.Dim(2), input.Dim(3), weight.Dim(2), weight.Dim(3), stride, stride, padding, padding);
        geo.Validate();
        var x = input.Contiguous();
        var w = weight.Contiguous();
        var b = bias?.Contiguous();
        var plan = new ConvPlan(geo, outChannels, groups, n);

        var y = Tensor.Uninitialized(n, outChannels, geo.OutH, geo.OutW);
        ConvForward(plan, x, w, b, y);

        Tensor[] inputs = b is null ? [x, w] : [x, w, b];
        return Graph.Record("conv2d", y, inputs, g => ConvBackward(plan, x, w, b, g.Contiguous()));
    }

    /// <summary>
    /// Minimum GEMM width (output pixels) worth one call. Feature maps smaller than this (deep layers: 8x8,
    /// 4x4) are batched: several samples' im2col blocks sit side by side in one matrix, so the GEMM sees
    /// N = samples * OH * OW instead of a skinny 16-column product dominated by packing overhead.
    /// </summary>
    private const int ConvTileColumns = 256;

    /// <summary>Sizes shared by the forward and backward passes of one convolution call.</summary>
    private sealed record ConvPlan(Conv2dGeometry Geo, int OutChannels, int Groups, int Batch)
    {
        public int InSize => Geo.Channels * Geo.Height * Geo.Width;
        public int OutPlane => Geo.OutH * Geo.OutW;
        public int OutSize => OutChannels * OutPlane;
        public int GroupOut => OutChannels / Groups;
        /// <summary>Reduction length of one group's GEMM: (C/groups) * KH * KW.</summary>
        public int GroupK => Geo.ColRows / Groups;
        public bool Pointwise => Geo.IsPointwise;

        /// <summary>Samples per GEMM: enough to reach <see cref="ConvTileColumns"/> columns.</summary>
        public int TileSamples => OutPlane >= ConvTileColumns ? 1 : Math.Max(1, Math.Min(Batch, (ConvTileColumns + OutPlane - 1) / OutPlane));

        /// <summary>Forward chunks carry no reduction, so any split is deterministic: whole tiles, at least one per thread.</summary>
        public int ForwardChunks
        {
            get
            {
                int threads = BatchParallel.MaxDegreeOfParallelism;
                int tiles = (Batch + TileSamples - 1) / TileSamples;
                return Math.Min(Batch, Math.Max(threads, Math.Min(tiles, 4 * threads)));
            }
        }

        /// <summary>
        /// Backward chunks: a function of the shapes only (never of the thread count), because each chunk owns
        /// a weight-gradient partial and the partials are summed in chunk order.
        /// </summary>
        public int BackwardChunks => Math.Min(Math.Min(Batch, BatchParallel.ReductionChunks), (Batch + TileSamples - 1) / TileSamples);

        /// <summary>With a single chunk there is no batch parallelism, so the GEMM itself may use the threads.</summary>
        public static int GemmThreads(int chunks) => chunks == 1 ? BatchParallel.MaxDegreeOfParallelism : 1;
    }

    private static void ConvForward(ConvPlan p, Tensor x, Tensor w, Tensor? b, Tensor y)
    {
        float[] xs = x.Storage, ws = w.Storage, ys = y.Storage;
        int xo = x.Offset, wo = w.Offset;
        float[]? bs = b?.Storage;
        int bo = b?.Offset ?? 0;
        int chunks = p.ForwardChunks;
        int gemmThreads = ConvPlan.GemmThreads(chunks);
        int plane = p.OutPlane;
        BatchParallel.For(p.Batch, chunks, (_, start, end) =>
        {
            int maxTile = Math.Min(p.TileSamples, end - start);
            bool direct = maxTile == 1 && p.Pointwise;
            float[]? col = direct ? null : ArrayPool<float>.Shared.Rent(p.Geo.ColRows * maxTile * plane);
            float[]? yTile = maxTile > 1 ? ArrayPool<float>.Shared.Rent(p.OutChannels * maxTile * plane) : null;
            try
            {
                for (int s0 = start; s0 < end; s0 += maxTile)
                {
                    int count = Math.Min(maxTile, end - s0), width = count * plane;
                    ReadOnlySpan<float> colView;
                    if (direct)
                    {
                        colView = xs.AsSpan(xo + s0 * p.InSize, p.InSize);
                    }
                    else
                    {
                        Im2Col.ExpandBatch(xs.AsSpan(xo + s0 * p.InSize, count * p.InSize), count, p.Geo, col);
                        colView = col.AsSpan(0, p.Geo.ColRows * width);
                    }
                    Span<float> output = count == 1 ? ys.AsSpan(s0 * p.OutSize, p.OutSize) : yTile.AsSpan(0, p.OutChannels * width);
                    for (int grp = 0; grp < p.Groups; grp++)
                    {
                        Gemm.Sgemm(false, false, p.GroupOut, width, p.GroupK, 1f,
                            ws.AsSpan(wo + grp * p.GroupOut * p.GroupK), p.GroupK,
                            colView.Slice(grp * p.GroupK * width), width,
                            0f, output.Slice(grp * p.GroupOut * width), width, gemmThreads);
                    }
                    for (int t = 0; t < count; t++)
                    {
                        var sample = ys.AsSpan((s0 + t) * p.OutSize, p.OutSize);
                        for (int oc = 0; oc < p.OutChannels; oc++)
                        {
                            var row = sample.Slice(oc * plane, plane);
                            if (count > 1) output.Slice(oc * width + t * plane, plane).CopyTo(row);
                            if (bs is not null) TensorPrimitives.Add(row, bs[bo + oc], row);
                        }
                    }
                }
            }
            finally
            {
                if (col is not null) ArrayPool<float>.Shared.Return(col);
                if (yTile is not null) ArrayPool<float>.Shared.Return(yTile);
            }
        });
    }

    private static void ConvBackward(ConvPlan p, Tensor x, Tensor w, Tensor? b, Tensor gy)
    {
        bool needX = x.RequiresGrad, needW = w.RequiresGrad, needB = b is not null && b.RequiresGrad;
        if (p.Batch == 0)
        {
            // An empty batch contributes nothing, but every input that asked for a gradient still gets one.
            if (needX) GradTarget(x, out _);
            if (needW) w.AccumulateGrad(new float[w.Size]);
            if (needB) b!.AccumulateGrad(new float[b.Size]);
            return;
        }
        float[] xs = x.Storage, ws = w.Storage, gs = gy.Storage;
        int xo = x.Offset, wo = w.Offset, go = gy.Offset;
        int weightSize = p.OutChannels * p.GroupK;
        int chunks = p.BackwardChunks;
        int gemmThreads = ConvPlan.GemmThreads(chunks);
        int plane = p.OutPlane;

        // dx is written straight into x's gradient when it has none yet (the usual case); else via scratch.
        float[]? dx = null, dxScratch = null;
        int dxo = 0;
        if (needX)
        {
            GradTarget(x, out bool fresh);
            if (fresh) (dx, dxo) = (x.Grad!.Storage, x.Grad.Offset);
            else dx = dxScratch = ArrayPool<float>.Shared.Rent(p.Batch * p.InSize);
        }
        float[][]? dwPartial = needW ? new float[chunks][] : null;
        if (dwPartial is not null)
            for (int k = 0; k < chunks; k++) dwPartial[k] = ArrayPool<float>.Shared.Rent(weightSize);

        if (needX || needW)
        {
            BatchParallel.For(p.Batch, chunks, (chunk, start, end) =>
            {
                int maxTile = Math.Min(p.TileSamples, end - start);
                bool direct = maxTile == 1 && p.Pointwise;
                int tileSize = p.Geo.ColRows * maxTile * plane;
                float[]? col = needW && !direct ? ArrayPool<float>.Shared.Rent(tileSize) : null;
                float[]? dcol = needX && !direct ? ArrayPool<float>.Shared.Rent(tileSize) : null;
                float[]? gTile = maxTile > 1 ? ArrayPool<float>.Shared.Rent(p.OutChannels * maxTile * plane) : null;
                try
                {
                    for (int s0 = start; s0 < end; s0 += maxTile)
                    {
                        int count = Math.Min(maxTile, end - s0), width = count * plane;
                        ReadOnlySpan<float> gradOut;
                        if (count == 1)
                        {
                            gradOut = gs.AsSpan(go + s0 * p.OutSize, p.OutSize);
                        }
                        else
                        {
                            // Gather the tile's output gradients into the same [OC, samples * plane] layout as the forward GEMM.
                            for (int t = 0; t < count; t++)
                                for (int oc = 0; oc < p.OutChannels; oc++)
                                    gs.AsSpan(go + (s0 + t) * p.OutSize + oc * plane, plane).CopyTo(gTile.AsSpan(oc * width + t * plane, plane));
                            gradOut = gTile.AsSpan(0, p.OutChannels * width);
                        }

                        if (dwPartial is not null)
                        {
                            ReadOnlySpan<float> colView;
                            if (direct)
                            {
                                colView = xs.AsSpan(xo + s0 * p.InSize, p.InSize);
                            }
                            else
                            {
                                // Recomputed rather than kept from the forward pass: a whole batch of im2col
                                // matrices would cost KH*KW times the activation memory.
                                Im2Col.ExpandBatch(xs.AsSpan(xo + s0 * p.InSize, count * p.InSize), count, p.Geo, col);
                                colView = col.AsSpan(0, p.Geo.ColRows * width);
                            }
                            var acc = dwPartial[chunk];
                            float beta = s0 == start ? 0f : 1f;
                            for (int grp = 0; grp < p.Groups; grp++)
                            {
                                Gemm.Sgemm(false, true, p.GroupOut, p.GroupK, width, 1f,
                                    gradOut.Slice(grp * p.GroupOut * width), width,
                                    colView.Slice(grp * p.GroupK * width), width,
                                    beta, acc.AsSpan(grp * p.GroupOut * p.GroupK), p.GroupK, gemmThreads);
                            }
                        }

                        if (dx is not null)
                        {
                            Span<float> target = direct ? dx.AsSpan(dxo + s0 * p.InSize, p.InSize) : dcol.AsSpan(0, p.Geo.ColRows * width);
                            for (int grp = 0; grp < p.Groups; grp++)
                            {
                                Gemm.Sgemm(true, false, p.GroupK, width, p.GroupOut, 1f,
                                    ws.AsSpan(wo + grp * p.GroupOut * p.GroupK), p.GroupK,
                                    gradOut.Slice(grp * p.GroupOut * width), width,
                                    0f, target.Slice(grp * p.GroupK * width), width, gemmThreads);
                            }
                            if (!direct)
                            {
                                var dImages = dx.AsSpan(dxo + s0 * p.InSize, count * p.InSize);
                                dImages.Clear();
                                Im2Col.AccumulateBatch(target, count, p.Geo, dImages);
                            }
                        }
                    }
                }
                finally
                {
                    if (col is not null) ArrayPool<float>.Shared.Return(col);
                    if (dcol is not null) ArrayPool<float>.Shared.Return(dcol);
                    if (gTile is not null) ArrayPool<float>.Shared.Return(gTile);
                }
            });
        }

        if (dxScratch is not null)
        {
            var grad = x.Grad!.Span;
            TensorPrimitives.Add(grad, dxScratch.AsSpan(0, grad.Length), grad);
            ArrayPool<float>.Shared.Return(dxScratch);
        }
        if (dwPartial is not null)
        {
            // Fixed chunk order: the sum does not depend on which thread finished first.
            var total = dwPartial[0].AsSpan(0, weightSize);
            for (int k = 1; k < chunks; k++) TensorPrimitives.Add(total, dwPartial[k].AsSpan(0, weightSize), total);
            w.AccumulateGrad(total);
            foreach (var buffer in dwPartial) ArrayPool<float>.Shared.Return(buffer);
        }
        if (needB)
        {
            var db = new float[p.OutChannels];
            for (int s = 0; s < p.Batch; s++)
                for (int oc = 0; oc < p.OutChannels; oc++)
                    db[oc] += TensorPrimitives.Sum(gs.AsSpan(go + s * p.OutSize + oc * p.OutPlane, p.OutPlane));
            b!.AccumulateGrad(db);
        }
    }
}
