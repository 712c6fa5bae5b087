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
    /// Each sample is lowered with im2col and multiplied by the weight matrix (one GEMM per group); samples run
    /// in parallel with single-threaded GEMMs, which keeps every core busy without nested parallelism.
    /// 1x1 stride-1 unpadded convolutions skip im2col (the image already is the column matrix).
    /// Backward: dW = sum_n dY_n col_n^T, dcol_n = W^T dY_n folded back by col2im, db = sum of dY.
    /// Weight gradients are accumulated per fixed batch chunk and summed in chunk order, so results are
    /// bit-identical for any thread count (see <see cref="BatchParallel"/>).
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

    /// <summary>Sizes shared by the forward and backward passes of one convolution call.</summary>
    private sealed record ConvPlan(Conv2dGeometry Geo, int OutChannels, int Groups, int Batch)
    {
        public int InSize => Geo.Channels * Geo.Height * Geo.Width;
        public int OutPlane => Geo.OutH * Geo.OutW;
        public int OutSize => OutChannels * OutPlane;
        public int GroupOut => OutChannels / Groups;
        /// <summary>Reduction length of one group's GEMM: (C/groups) * KH * KW.</summary>
        public int GroupK => Geo.ColRows / Groups;
        public int ColSize => Geo.ColRows * OutPlane;
        /// <summary>With a single sample there is no batch parallelism, so the GEMM itself may use threads.</summary>
        public int GemmThreads => Batch == 1 ? BatchParallel.MaxDegreeOfParallelism : 1;
    }

    private static void ConvForward(ConvPlan p, Tensor x, Tensor w, Tensor? b, Tensor y)
    {
        float[] xs = x.Storage, ws = w.Storage, ys = y.Storage;
        int xo = x.Offset, wo = w.Offset;
        float[]? bs = b?.Storage;
        int bo = b?.Offset ?? 0;
        bool pointwise = p.Geo.IsPointwise;
        BatchParallel.For(p.Batch, BatchParallel.ChunksFor(p.Batch, 1), (_, start, end) =>
        {
            float[]? colBuffer = pointwise ? null : ArrayPool<float>.Shared.Rent(p.ColSize);
            try
            {
                for (int s = start; s < end; s++)
                {
                    var image = xs.AsSpan(xo + s * p.InSize, p.InSize);
                    ReadOnlySpan<float> col = image;
                    if (colBuffer is not null)
                    {
                        Im2Col.Expand(image, p.Geo, colBuffer.AsSpan(0, p.ColSize));
                        col = colBuffer.AsSpan(0, p.ColSize);
                    }
                    var output = ys.AsSpan(s * p.OutSize, p.OutSize);
                    for (int grp = 0; grp < p.Groups; grp++)
                    {
                        Gemm.Sgemm(false, false, p.GroupOut, p.OutPlane, p.GroupK, 1f,
                            ws.AsSpan(wo + grp * p.GroupOut * p.GroupK), p.GroupK,
                            col.Slice(grp * p.GroupK * p.OutPlane), p.OutPlane,
                            0f, output.Slice(grp * p.GroupOut * p.OutPlane), p.OutPlane, p.GemmThreads);
                    }
                    if (bs is not null)
                    {
                        for (int oc = 0; oc < p.OutChannels; oc++)
                        {
                            var row = output.Slice(oc * p.OutPlane, p.OutPlane);
                            TensorPrimitives.Add(row, bs[bo + oc], row);
                        }
                    }
                }
            }
            finally
            {
                if (colBuffer is not null) ArrayPool<float>.Shared.Return(colBuffer);
            }
        });
    }

    private static void ConvBackward(ConvPlan p, Tensor x, Tensor w, Tensor? b, Tensor gy)
    {
        bool needX = x.RequiresGrad, needW = w.RequiresGrad, needB = b is not null && b.RequiresGrad;
        float[] xs = x.Storage, ws = w.Storage, gs = gy.Storage;
        int xo = x.Offset, wo = w.Offset, go = gy.Offset;
        bool pointwise = p.Geo.IsPointwise;
        int weightSize = p.OutChannels * p.GroupK;
        int chunks = Math.Min(p.Batch, BatchParallel.ReductionChunks);

        float[]? dx = needX ? ArrayPool<float>.Shared.Rent(p.Batch * p.InSize) : null;
        float[][]? dwPartial = needW ? new float[chunks][] : null;
        if (dwPartial is not null)
            for (int k = 0; k < chunks; k++) dwPartial[k] = ArrayPool<float>.Shared.Rent(weightSize);

        if (needX || needW)
        {
            BatchParallel.For(p.Batch, chunks, (chunk, start, end) =>
            {
                float[]? col = needW && !pointwise ? ArrayPool<float>.Shared.Rent(p.ColSize) : null;
                float[]? dcol = needX && !pointwise ? ArrayPool<float>.Shared.Rent(p.ColSize) : null;
                try
                {
                    for (int s = start; s < end; s++)
                    {
                        var gradOut = gs.AsSpan(go + s * p.OutSize, p.OutSize);
                        if (dwPartial is not null)
                        {
                            var image = xs.AsSpan(xo + s * p.InSize, p.InSize);
                            ReadOnlySpan<float> colView = image;
                            if (col is not null)
                            {
                                // Recomputed rather than kept from the forward pass: a whole batch of im2col
                                // matrices would cost KH*KW times the activation memory.
                                Im2Col.Expand(image, p.Geo, col.AsSpan(0, p.ColSize));
                                colView = col.AsSpan(0, p.ColSize);
                            }
                            var acc = dwPartial[chunk];
                            float beta = s == start ? 0f : 1f;
                            for (int grp = 0; grp < p.Groups; grp++)
                            {
                                Gemm.Sgemm(false, true, p.GroupOut, p.GroupK, p.OutPlane, 1f,
                                    gradOut.Slice(grp * p.GroupOut * p.OutPlane), p.OutPlane,
                                    colView.Slice(grp * p.GroupK * p.OutPlane), p.OutPlane,
                                    beta, acc.AsSpan(grp * p.GroupOut * p.GroupK), p.GroupK, p.GemmThreads);
                            }
                        }
                        if (dx is not null)
                        {
                            var dImage = dx.AsSpan(s * p.InSize, p.InSize);
                            Span<float> target = dcol is null ? dImage : dcol.AsSpan(0, p.ColSize);
                            for (int grp = 0; grp < p.Groups; grp++)
                            {
                                Gemm.Sgemm(true, false, p.GroupK, p.OutPlane, p.GroupOut, 1f,
                                    ws.AsSpan(wo + grp * p.GroupOut * p.GroupK), p.GroupK,
                                    gradOut.Slice(grp * p.GroupOut * p.OutPlane), p.OutPlane,
                                    0f, target.Slice(grp * p.GroupK * p.OutPlane), p.OutPlane, p.GemmThreads);
                            }
                            if (dcol is not null)
                            {
                                dImage.Clear();
                                Im2Col.Accumulate(dcol.AsSpan(0, p.ColSize), p.Geo, dImage);
                            }
                        }
                    }
                }
                finally
                {
                    if (col is not null) ArrayPool<float>.Shared.Return(col);
                    if (dcol is not null) ArrayPool<float>.Shared.Return(dcol);
                }
            });
        }

        if (dx is not null)
        {
            x.AccumulateGrad(dx.AsSpan(0, p.Batch * p.InSize));
            ArrayPool<float>.Shared.Return(dx);
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
