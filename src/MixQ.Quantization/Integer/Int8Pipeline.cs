using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The fast path of <see cref="IntegerEngine"/>: codes travel between layers as bytes (code + zero point, 128 for
/// tensors whose guaranteed range (<see cref="IntegerModel.Analyze"/>) has negative codes, else 0) instead of longs;
/// Dense/Conv2d run the int8 GEMM (<see cref="Int8Gemm"/>) on those bytes and, when a requantization follows,
/// requantize each GEMM row straight into the next layer's bytes (<see cref="RequantizeEpilogue"/>). Layers the
/// int8 path cannot take exactly (wide multiplicands, accumulators beyond 32 bits, pooled sums) run on longs through
/// <see cref="WideLayers"/>, converting at the boundaries. Every step is exact, so the integers equal the 64-bit
/// path's. One instance serves many threads; each call brings its own <see cref="Workspace"/>.
/// </summary>
internal sealed class Int8Pipeline
{
    private readonly IntegerModel _model;
    private readonly int[][] _shapes;
    private readonly int[] _zeroPoints;
    private readonly PackedMatrix?[] _packed;
    private readonly RequantizeEpilogue?[] _fused;
    private readonly PreparedMatrix?[] _wide;
    private readonly Int8Isa _isa;

    public Int8Pipeline(IntegerModel model, IReadOnlyList<TensorRange> ranges, PreparedMatrix?[] wide, Int8Isa isa)
    {
        _model = model;
        _wide = wide;
        _isa = isa;
        _shapes = ranges.Select(r => r.Shape).ToArray();
        // Zero point per tensor (index 0 = entrance, l + 1 = after layer l), -1 when its codes do not fit a byte.
        _zeroPoints = ranges.Select(r => r.Min >= 0 && r.Max <= 255 ? 0 : r.Min >= -128 && r.Max <= 127 ? 128 : -1).ToArray();
        var layers = model.Layers;
        _packed = new PackedMatrix?[layers.Count];
        _fused = new RequantizeEpilogue?[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            int zp = _zeroPoints[l];
            _packed[l] = zp < 0 ? null : layers[l] switch
            {
                IntDense d => PackedMatrix.TryCreate(d.Weights, d.Bias, d.Input, zp),
                IntConv2d c => PackedMatrix.TryCreate(c.Weights, c.Bias, c.Input, zp),
                _ => null,
            };
            if (_packed[l] is { } p && l + 1 < layers.Count && layers[l + 1] is IntRequantize r)
                _fused[l] = new RequantizeEpilogue(r, p.Columns, p.Addend);
        }
    }

    /// <summary>Dense/Conv2d layers on the int8 path.</summary>
    public int PackedLayers => _packed.Count(p => p is not null);

    /// <summary>Integer logits [count, classes] of <paramref name="count"/> samples; with a trace, every layer's output (no fusion).</summary>
    public long[] Run(ReadOnlySpan<float> inputs, int count, Workspace ws, Action<int, long[], int>? trace)
    {
        var x = Entrance(inputs, count, ws);
        trace?.Invoke(-1, Longs(x, 0, count), count);
        var layers = _model.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            bool fuse = trace is null && _fused[l] is not null;
            x = _packed[l] is null ? Wide(l, x, count, ws) : Matrix(l, x, count, ws, fuse);
            if (fuse) l++;
            trace?.Invoke(l, Longs(x, l + 1, count), count);
        }
        return Longs(x, layers.Count, count);
    }

    /// <summary>A tensor of a mini-batch: bytes (per-sample stride a multiple of 4, in workspace slot Slot) or longs [count, size].</summary>
    private readonly record struct Activations(byte[]? Bytes, int Stride, int Slot, long[]? Longs);

    private Activations Entrance(ReadOnlySpan<float> inputs, int count, Workspace ws)
    {
        int size = WideLayers.Size(_shapes[0]), zp = _zeroPoints[0];
        if (_model.Input is not InputQuantization q || zp < 0)
        {
            // Other entrances (HGQ's per-element fixed point) produce longs; a packed layer narrows them when it can.
            var longs = new long[(long)count * size];
            _model.Input.Quantize(inputs[..(count * size)], longs);
            return new Activations(null, 0, 0, longs);
        }
        int stride = Round4(size);
        var bytes = ws.Bytes(0, count * stride);
        for (int n = 0; n < count; n++)
            EntranceCodes.Quantize(q, inputs.Slice(n * size, size), bytes.AsSpan(n * stride, size), zp);
        return new Activations(bytes, stride, 0, null);
    }

    private Activations Wide(int l, Activations x, int count, Workspace ws)
    {
        var layer = _model.Layers[l];
        if (x.Bytes is not null && layer is IntFlatten) return x;
        if (x.Bytes is not null && layer is IntMaxPool2d p) return MaxPool(p, x, count, _shapes[l], _shapes[l + 1], ws);
        var longs = Longs(x, l, count);
        return new Activations(null, 0, 0, WideLayers.Run(layer, _wide[l], longs, count, _shapes[l], _shapes[l + 1], parallel: false));
    }

    private Activations Matrix(int l, Activations x, int count, Workspace ws, bool fuse)
    {
        var m = _packed[l]!;
        x = ToBytes(x, l, count, ws);
        int outTensor = fuse ? l + 2 : l + 1, outSize = WideLayers.Size(_shapes[l + 1]), zp = _zeroPoints[outTensor];
        var epilogue = fuse ? _fused[l] : null;
        int outStride = Round4(outSize), slot = 1 - x.Slot;
        var bytes = epilogue is not null && zp >= 0 ? ws.Bytes(slot, count * outStride) : null;
        var longs = bytes is null ? new long[(long)count * outSize] : null;
        int ldc = m.Ldc;
        if (_model.Layers[l] is IntConv2d conv)
        {
            int pixels = _shapes[l + 1][1] * _shapes[l + 1][2];
            var c = ws.Ints(pixels * ldc);
            int rowBytes = Round4(m.Depth + 7);
            for (int n = 0; n < count; n++)
            {
                var cols = Im2Col(conv, x, n, _shapes[l], _shapes[l + 1], _zeroPoints[l], rowBytes, ws);
                Int8Gemm.Gemm(_isa, cols, pixels, rowBytes, m.Packed, m.Columns, m.Depth, c, ldc);
                // GEMM rows are pixels, columns channels; the tensor is [channel, pixel].
                if (bytes is not null)
                {
                    epilogue!.ToBytesTransposed(c, ldc, pixels, bytes.AsSpan(n * outStride), pixels, zp);
                    continue;
                }
                for (int p = 0; p < pixels; p++)
                {
                    var row = c.AsSpan(p * ldc, ldc);
                    if (epilogue is not null) epilogue.ToLongs(row, longs.AsSpan(n * outSize + p), pixels);
                    else
                        for (int j = 0; j < m.Columns; j++) longs![n * outSize + j * pixels + p] = row[j] + m.Addend[j];
                }
            }
        }
        else
        {
            var c = ws.Ints(count * ldc);
            Int8Gemm.Gemm(_isa, x.Bytes, count, x.Stride, m.Packed, m.Columns, m.Depth, c, ldc);
            for (int n = 0; n < count; n++)
            {
                var row = c.AsSpan(n * ldc, ldc);
                if (bytes is not null) epilogue!.ToBytes(row, bytes.AsSpan(n * outStride), 1, zp);
                else if (epilogue is not null) epilogue.ToLongs(row, longs.AsSpan(n * outSize), 1);
                else
                    for (int j = 0; j < m.Columns; j++) longs![n * outSize + j] = row[j] + m.Addend[j];
            }
        }
        return bytes is not null ? new Activations(bytes, outStride, slot, null) : new Activations(null, 0, 0, longs);
    }

    /// <summary>
    /// The im2col matrix of sample n: row p (output pixel) holds the window's bytes in the weight rows' [c, kh, kw]
    /// order, rowBytes (at least depth + 7) apart. Padded inputs are first copied into a border of zero-point bytes
    /// (code 0), so every window row is one contiguous run, copied 8 bytes at a time. Runs are written in ascending
    /// order within a pixel's row, so a run's overshoot is overwritten by the next run or lands in the 7 bytes of
    /// slack, which the GEMM never reads.
    /// </summary>
    private static byte[] Im2Col(IntConv2d conv, Activations x, int n, int[] inShape, int[] outShape, int zp, int rowBytes, Workspace ws)
    {
        int channels = inShape[0], h = inShape[1], w = inShape[2], oh = outShape[1], ow = outShape[2];
        int k = conv.KernelSize, s = conv.Stride, pad = conv.Padding;
        byte[] source;
        int origin, ph = h + 2 * pad, pw = w + 2 * pad;
        if (pad == 0)
        {
            source = x.Bytes!;
            origin = n * x.Stride;
        }
        else
        {
            source = ws.Padded(channels * ph * pw);
            origin = 0;
            source.AsSpan(0, channels * ph * pw).Fill((byte)zp);
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < h; y++)
                    x.Bytes.AsSpan(n * x.Stride + (c * h + y) * w, w).CopyTo(source.AsSpan((c * ph + y + pad) * pw + pad, w));
        }
        var cols = ws.Cols(oh * ow * rowBytes);
        ref byte src = ref source[origin];
        ref byte dst = ref cols[0];
        for (int oy = 0; oy < oh; oy++)
            for (int c = 0; c < channels; c++)
                for (int ki = 0; ki < k; ki++)
                {
                    ref byte from = ref Unsafe.Add(ref src, (c * ph + oy * s + ki) * pw);
                    ref byte to = ref Unsafe.Add(ref dst, oy * ow * rowBytes + (c * k + ki) * k);
                    if (k <= 8)
                        for (int ox = 0; ox < ow; ox++)
                            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, ox * rowBytes), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, ox * s)));
                    else
                        for (int ox = 0; ox < ow; ox++)
                            for (int b = 0; b < k; b += 8)
                                Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, ox * rowBytes + b), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, ox * s + b)));
                }
        return cols;
    }

    private static Activations MaxPool(IntMaxPool2d p, Activations x, int count, int[] inShape, int[] outShape, Workspace ws)
    {
        int channels = inShape[0], h = inShape[1], w = inShape[2], oh = outShape[1], ow = outShape[2];
        int outStride = Round4(channels * oh * ow), slot = 1 - x.Slot;
        var src = x.Bytes!;
        var y = ws.Bytes(slot, count * outStride);
        if (p.Padding == 0)
        {
            MaxPoolUnpadded(p.KernelSize, p.Stride, src, x.Stride, count, channels, h, w, oh, ow, y, outStride);
            return new Activations(y, outStride, slot, null);
        }
        for (int n = 0; n < count; n++)
            for (int ch = 0; ch < channels; ch++)
            {
                int plane = n * x.Stride + ch * h * w, outPlane = n * outStride + ch * oh * ow;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        // Bytes are order-preserving codes (code + zero point); a window always holds a real pixel.
                        int best = 0;
                        for (int ki = 0; ki < p.KernelSize; ki++)
                        {
                            int iy = oy * p.Stride + ki - p.Padding;
                            if (iy < 0 || iy >= h) continue;
                            for (int kj = 0; kj < p.KernelSize; kj++)
                            {
                                int ix = ox * p.Stride + kj - p.Padding;
                                if (ix >= 0 && ix < w) best = Math.Max(best, src[plane + iy * w + ix]);
                            }
                        }
                        y[outPlane + oy * ow + ox] = (byte)best;
                    }
            }
        return new Activations(y, outStride, slot, null);
    }

    /// <summary>Max pooling without padding: every window lies inside the plane, so no bounds checks.</summary>
    private static void MaxPoolUnpadded(int k, int stride, byte[] source, int inStride, int count, int channels, int h, int w, int oh, int ow, byte[] y, int outStride)
    {
        if (count == 0) return;
        ref byte src = ref source[0];
        ref byte dst = ref y[0];
        if (k == 2 && stride == 2 && Vector256.IsHardwareAccelerated)
        {
            // 16 outputs at a time: the max of two rows' 32 bytes, then of each byte pair (as 16-bit lanes). Chunks
            // are written in ascending order, so a chunk's overshoot past a row is rewritten by the next chunk or row,
            // or lands in the tensor's stride padding or the workspace slack; reads past a row stay in the buffer.
            var low = Vector256.Create((ushort)0xFF);
            for (int n = 0; n < count; n++)
                for (int ch = 0; ch < channels; ch++)
                {
                    ref byte plane = ref Unsafe.Add(ref src, n * inStride + ch * h * w);
                    ref byte outPlane = ref Unsafe.Add(ref dst, n * outStride + ch * oh * ow);
                    for (int oy = 0; oy < oh; oy++)
                        for (int ox = 0; ox < ow; ox += 16)
                        {
                            ref byte top = ref Unsafe.Add(ref plane, 2 * oy * w + 2 * ox);
                            var rows = Vector256.Max(Vector256.LoadUnsafe(ref top), Vector256.LoadUnsafe(ref Unsafe.Add(ref top, w))).AsUInt16();
                            var pairs = Vector256.Max(rows & low, Vector256.ShiftRightLogical(rows, 8));
                            Vector128.Narrow(pairs.GetLower(), pairs.GetUpper()).StoreUnsafe(ref Unsafe.Add(ref outPlane, oy * ow + ox));
                        }
                }
            return;
        }
        for (int n = 0; n < count; n++)
            for (int ch = 0; ch < channels; ch++)
            {
                ref byte plane = ref Unsafe.Add(ref src, n * inStride + ch * h * w);
                ref byte outPlane = ref Unsafe.Add(ref dst, n * outStride + ch * oh * ow);
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        ref byte window = ref Unsafe.Add(ref plane, oy * stride * w + ox * stride);
                        int best = 0;
                        for (int ki = 0; ki < k; ki++)
                            for (int kj = 0; kj < k; kj++) best = Math.Max(best, Unsafe.Add(ref window, ki * w + kj));
                        Unsafe.Add(ref outPlane, oy * ow + ox) = (byte)best;
                    }
            }
    }

    private Activations ToBytes(Activations x, int tensor, int count, Workspace ws)
    {
        if (x.Bytes is not null) return x;
        int size = WideLayers.Size(_shapes[tensor]), stride = Round4(size), zp = _zeroPoints[tensor];
        var bytes = ws.Bytes(0, count * stride);
        var longs = x.Longs!;
        for (int n = 0; n < count; n++)
            for (int i = 0; i < size; i++) bytes[n * stride + i] = (byte)(longs[n * size + i] + zp);
        return new Activations(bytes, stride, 0, null);
    }

    private long[] Longs(Activations x, int tensor, int count)
    {
        if (x.Longs is not null) return x.Longs;
        int size = WideLayers.Size(_shapes[tensor]), zp = _zeroPoints[tensor];
        var longs = new long[(long)count * size];
        for (int n = 0; n < count; n++)
            for (int i = 0; i < size; i++) longs[n * size + i] = x.Bytes![n * x.Stride + i] - zp;
        return longs;
    }

    private static int Round4(int n) => (n + 3) & ~3;
}
