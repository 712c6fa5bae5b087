using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MixQ.NN.Modules;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// HGQ's fixed-point quantizer with trainable fractional bits f (methods.md §4): each group of entries
/// (<see cref="HgqGranularity"/>) has its own f; integer and sign bits come from the group's value range
/// (<see cref="FixedPointFormat.FromRange"/>). Forward: m = round(x 2^round(f)) with overflow handling, y = m 2^-f.
/// Backward: dx = g (straight-through) except where saturation clipped the value (0 there);
/// df = -ln 2 Σ g (y - x) over the entries sharing f (the surrogate gradient), f itself rounded straight-through.
/// <para>
/// <see cref="ElementShape"/> is the weight's shape (<see cref="HgqRole.Weight"/>) or the shape of one sample of the
/// layer input (<see cref="HgqRole.Activation"/>; the batch axis comes first and is not part of it). Activation ranges
/// are buffers: in training mode and while calibrating every batch widens them; in evaluation they stay fixed, and
/// values beyond them meet the overflow mode — exactly what the integer evaluator and the hardware do.
/// </para>
/// </summary>
/// <remarks>
/// The code that runs every training step is marked AggressiveOptimization (compiled optimized at once): a perf profile
/// of the HGQ benchmark found parts of it (RoundedFractionalBits, ElementBits, the format getters) still in tier-0 code
/// after hundreds of steps.
/// </remarks>
public sealed class HgqQuantizer : Module
{
    /// <summary>
    /// Smallest piece of work worth a second thread. Handing a pass to the other core costs tens of microseconds on a
    /// shared 2-core VM; a weight pass does enough per element (format, code, span) to pay for it, while an activation
    /// pass (one compare or one rounding per element) is faster on one thread up to ~100,000 elements
    /// (docs/BENCHMARKS.md, "HGQ training cost"). Chunking never changes results: every element is owned by one chunk.
    /// </summary>
    private int ElementsPerChunk => Role == HgqRole.Weight ? 1 << 14 : 1 << 17;
    private static readonly double Ln2 = Math.Log(2.0);

    private readonly int[] _elementShape;
    private bool _rangesEmpty = true;
    private float[]? _cachedSpans;
    private float[]? _cachedWeight; // storage the cached spans belong to; cleared whenever weights may change
    private ActivationKey? _activationKey;
    private int _spansVersion; // bumped whenever _cachedSpans is rewritten

    public HgqQuantizer(HgqRole role, int[] elementShape, HgqQuantizerConfig config)
    {
        ArgumentNullException.ThrowIfNull(elementShape);
        if (elementShape.Length == 0 || elementShape.Any(d => d < 1))
            throw new ArgumentException($"invalid element shape {ShapeUtil.Format(elementShape)}", nameof(elementShape));
        Role = role;
        Config = config.Validate(role == HgqRole.Weight ? "weight quantizer" : "activation quantizer");
        _elementShape = (int[])elementShape.Clone();
        ElementSize = ShapeUtil.Size(elementShape);
        Groups = config.Granularity switch
        {
            HgqGranularity.Element => ElementSize,
            HgqGranularity.Row => elementShape[0],
            HgqGranularity.Layer => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Granularity, null),
        };
        GroupSpan = ElementSize / Groups;
        int[] fShape = config.Granularity == HgqGranularity.Element ? _elementShape : [Groups];
        var f = Tensor.Full(config.InitialFractionalBits, fShape);
        FractionalBits = config.Trainable ? RegisterParameter("frac_bits", f) : RegisterBuffer("frac_bits", f);
        if (role == HgqRole.Activation)
        {
            RangeMin = RegisterBuffer("range_min", Tensor.Zeros(Groups));
            RangeMax = RegisterBuffer("range_max", Tensor.Zeros(Groups));
        }
    }

    public HgqRole Role { get; }
    public HgqQuantizerConfig Config { get; }
    public ReadOnlySpan<int> ElementShape => _elementShape;
    public int ElementSize { get; }

    /// <summary>Number of independent f values.</summary>
    public int Groups { get; }

    /// <summary>Consecutive elements sharing one f (groups are contiguous blocks of the flattened element shape).</summary>
    public int GroupSpan { get; }

    /// <summary>The trainable fractional bits (real-valued; the forward pass rounds them).</summary>
    public Tensor FractionalBits { get; }

    /// <summary>Per-group recorded range of the activations (null for weights).</summary>
    public Tensor? RangeMin { get; }
    public Tensor? RangeMax { get; }

    /// <summary>While true, every forward pass widens the ranges (also in evaluation mode).</summary>
    public bool Calibrating { get; private set; }

    /// <summary>Forgets the recorded ranges: the next recorded batch sets them afresh.</summary>
    public void ResetRanges() => _rangesEmpty = true;

    public void BeginCalibration()
    {
        ResetRanges();
        Calibrating = true;
    }

    public void EndCalibration() => Calibrating = false;

    /// <summary>f as the forward pass uses it: round half up, clamped to the configured interval.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code (see the remarks above)
    public int[] RoundedFractionalBits()
    {
        var f = FractionalBits.Contiguous().Span;
        var result = new int[Groups];
        for (int g = 0; g < Groups; g++)
        {
            double v = Math.Floor((double)f[g] + 0.5);
            result[g] = (int)Math.Clamp(v, Config.MinFractionalBits, Config.MaxFractionalBits);
        }
        return result;
    }

    /// <summary>
    /// The format of every group: from the ranges of <paramref name="weight"/> (weights) or from the recorded
    /// ranges (activations; pass null).
    /// </summary>
    public FixedPointFormat[] Formats(Tensor? weight = null)
    {
        var f = RoundedFractionalBits();
        var formats = new FixedPointFormat[Groups];
        if (Role == HgqRole.Weight)
        {
            if (weight is null) throw new ArgumentNullException(nameof(weight), "weight formats depend on the weight");
            CheckShape(weight, batched: false);
            var w = weight.Contiguous().Span;
            for (int g = 0; g < Groups; g++)
            {
                if (GroupSpan == 1)
                {
                    formats[g] = HgqKernels.SingleValueFormat(w[g], f[g]);
                    continue;
                }
                var block = w.Slice(g * GroupSpan, GroupSpan);
                float min = float.PositiveInfinity, max = float.NegativeInfinity;
                foreach (float v in block) { if (v < min) min = v; if (v > max) max = v; }
                formats[g] = FixedPointFormat.FromRange(min, max, f[g]);
            }
            return formats;
        }
        ActivationFormats(f).Formats.CopyTo(formats, 0);
        return formats;
    }

    /// <summary>
    /// The activation formats and their per-element parameters for rounded fractional bits <paramref name="f"/> and the
    /// current ranges. Formats follow from exactly these (rounded f, range bits), and in training they rarely change
    /// from one step to the next (ranges only widen, f moves a fraction of a bit), so the last result is kept with the
    /// key it came from and reused while the key is the same — checked bit for bit, so nothing (a loaded state, a new
    /// calibration) can leave it stale. The returned object is never modified afterwards.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code (see the remarks above)
    private HgqElementParameters ActivationFormats(int[] f)
    {
        var lo = RangeMin!.Span;
        var hi = RangeMax!.Span;
        if (_activationKey is { } key && f.AsSpan().SequenceEqual(key.F)
            && MemoryMarshal.AsBytes(lo).SequenceEqual(MemoryMarshal.AsBytes(key.Lo.AsSpan()))
            && MemoryMarshal.AsBytes(hi).SequenceEqual(MemoryMarshal.AsBytes(key.Hi.AsSpan())))
            return key.Parameters;
        var formats = new FixedPointFormat[Groups];
        for (int g = 0; g < Groups; g++) formats[g] = HgqKernels.RangeFormat(lo[g], hi[g], f[g]);
        var parameters = HgqElementParameters.From(formats, GroupSpan, Config.Overflow);
        _activationKey = new ActivationKey((int[])f.Clone(), lo.ToArray(), hi.ToArray(), parameters);
        return parameters;
    }

    /// <summary>What <see cref="ActivationFormats"/> last computed, and from which rounded f and ranges.</summary>
    private sealed record ActivationKey(int[] F, float[] Lo, float[] Hi, HgqElementParameters Parameters);

    /// <summary>The integer codes of a weight (row-major like the weight).</summary>
    public long[] WeightCodes(Tensor weight)
    {
        if (Role != HgqRole.Weight) throw new InvalidOperationException("only a weight quantizer has weight codes");
        var formats = Formats(weight);
        var w = weight.Contiguous().Span;
        var codes = new long[ElementSize];
        for (int e = 0; e < ElementSize; e++) codes[e] = FixedPoint.Code(w[e], formats[e / GroupSpan], Config.Rounding, Config.Overflow);
        return codes;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code (see the remarks above)
    public override Tensor Forward(Tensor input)
    {
        var x = input.Contiguous();
        int batch = CheckShape(x, batched: Role == HgqRole.Activation);
        if (Role == HgqRole.Activation && (Training || Calibrating)) Observe(x, batch);
        var y = Tensor.Uninitialized(x.ShapeArray());
        var f = FractionalBits;
        bool record = Graph.WillRecord(x, f);
        byte[]? clipped = null;
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset, size = x.Size, elements = ElementSize;
        // Chunks of elements: each chunk covers its elements in every sample (its own slice of f and of the sums).
        int chunks = BatchParallel.ChunksFor(elements, Math.Max(1, ElementsPerChunk / batch));
        if (Role == HgqRole.Weight && GroupSpan == 1) QuantizeWeightElements(xs, xo, ys);
        else
        {
            var p = Role == HgqRole.Weight
                ? HgqElementParameters.From(Formats(x), GroupSpan, Config.Overflow)
                : ActivationFormats(RoundedFractionalBits());
            // Wrap never clips; otherwise the backward needs to know which codes saturation clipped.
            clipped = record && x.RequiresGrad && Config.Overflow != OverflowMode.Wrap ? ArrayPool<byte>.Shared.Rent(size) : null;
            var rounding = Config.Rounding;
            var overflow = Config.Overflow;
            if (batch > 1)
            {
                // Element-wise: whole samples per chunk, so each kernel call runs over a full row.
                BatchParallel.For(batch, BatchParallel.ChunksFor(batch, Math.Max(1, ElementsPerChunk / elements)), (_, first, last) =>
                {
                    for (int n = first; n < last; n++)
                    {
                        int i = n * elements;
                        HgqKernels.Quantize(xs.AsSpan(xo + i, elements), p, 0, rounding, overflow, ys.AsSpan(i, elements),
                            clipped is null ? [] : clipped.AsSpan(i, elements));
                    }
                });
            }
            else
            {
                BatchParallel.For(elements, chunks, (_, start, end) =>
                    HgqKernels.Quantize(xs.AsSpan(xo + start, end - start), p, start, rounding, overflow, ys.AsSpan(start, end - start),
                        clipped is null ? [] : clipped.AsSpan(start, end - start)));
            }
            if (Role == HgqRole.Weight) CacheSpans(x, ys, p);
        }
        if (!record) return y;

        return Graph.Record("hgq_quant", y, [x, f], g =>
        {
            var gy = g.Contiguous();
            float[] gs = gy.Storage;
            int go = gy.Offset;
            // f first: its surrogate reads g, which x's gradient may then overwrite in place.
            if (f.RequiresGrad) SurrogateGradient(gs, go, xs, xo, ys, batch, chunks);
            if (x.RequiresGrad)
            {
                // A second backward over the same graph finds the mask already given back: quantize again to rebuild it.
                if (clipped is null && Config.Overflow != OverflowMode.Wrap) clipped = ClippedMask(xs, xo, batch);
                var mask = clipped;
                // dx is g with the clipped entries zeroed: g becomes x's gradient without a copy, zeroed in place.
                if (Graph.TryHandOver(gy, x))
                {
                    if (mask is not null)
                        BatchParallel.For(size, BatchParallel.ChunksFor(size, ElementsPerChunk), (_, start, end) =>
                            HgqKernels.ZeroClipped(gs.AsSpan(start, end - start), mask.AsSpan(start, end - start)));
                }
                else GradientSink.Write(x, dx => BatchParallel.For(elements, chunks, (_, start, end) =>
                {
                    for (int n = 0; n < batch; n++)
                    {
                        int i = n * elements + start;
                        if (mask is null) gs.AsSpan(go + i, end - start).CopyTo(dx.AsSpan(i, end - start));
                        else HgqKernels.PassUnclipped(gs.AsSpan(go + i, end - start), mask.AsSpan(i, end - start), dx.AsSpan(i, end - start));
                    }
                }));
                if (mask is not null) ArrayPool<byte>.Shared.Return(mask);
                clipped = null;
            }
        });
    }

    /// <summary>
    /// f's surrogate gradient -ln 2 Σ g (y - x): per-element sums over the batch, each element owned by one chunk
    /// (no races, fixed order), then groups.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code (see the remarks above)
    private void SurrogateGradient(float[] gs, int go, float[] xs, int xo, float[] ys, int batch, int chunks)
    {
        var f = FractionalBits;
        int elements = ElementSize;
        if (GroupSpan == 1)
        {
            // Usually f already has its EBOPs gradient: the surrogate is added to it in the same pass.
            GradientSink.Writer surrogate(bool accumulate) => df => BatchParallel.For(elements, chunks, (_, start, end) =>
                HgqKernels.Surrogate(gs.AsSpan(go), ys, xs.AsSpan(xo), batch, elements, start, end, df.AsSpan(start, end - start), [], accumulate));
            GradientSink.Write(f, surrogate(false), surrogate(true));
            return;
        }
        var perElement = ArrayPool<double>.Shared.Rent(elements);
        BatchParallel.For(elements, chunks, (_, start, end) =>
            HgqKernels.Surrogate(gs.AsSpan(go), ys, xs.AsSpan(xo), batch, elements, start, end, [], perElement.AsSpan(start, end - start)));
        var groupSums = new double[Groups];
        for (int e = 0; e < elements; e++) groupSums[e / GroupSpan] += perElement[e];
        ArrayPool<double>.Shared.Return(perElement);
        GradientSink.Write(f, buffer =>
        {
            for (int k = 0; k < groupSums.Length; k++) buffer[k] = (float)(-Ln2 * groupSums[k]);
        });
    }

    /// <summary>Which entries of x saturation clips (1) under the current formats, in a rented array.</summary>
    private byte[] ClippedMask(float[] xs, int xo, int batch)
    {
        var p = HgqElementParameters.From(Formats(Role == HgqRole.Weight ? Tensor.FromArray(xs.AsSpan(xo, ElementSize).ToArray(), _elementShape) : null), GroupSpan, Config.Overflow);
        var mask = ArrayPool<byte>.Shared.Rent(batch * ElementSize);
        var scratch = new float[ElementSize];
        for (int n = 0; n < batch; n++)
        {
            int i = n * ElementSize;
            HgqKernels.Quantize(xs.AsSpan(xo + i, ElementSize), p, 0, Config.Rounding, Config.Overflow, scratch, mask.AsSpan(i, ElementSize));
        }
        return mask;
    }

    /// <summary>
    /// Bits of every element, differentiable in f (straight-through: d bits / d f = 1 where the element has bits):
    /// activations count the full width k + i + f of their group; weights the non-zero span of their code.
    /// Shape <see cref="ElementShape"/>. Weights need the current weight; their spans come from the last forward pass
    /// over the same weight storage when there was one (the training loop asks right after the forward pass, and
    /// <see cref="ClampFractionalBits"/>, run after every optimizer step, drops that cache).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code (see the remarks above)
    public Tensor ElementBits(Tensor? weight = null)
    {
        var bits = Tensor.Uninitialized(_elementShape);
        var b = bits.Storage;
        if (Role == HgqRole.Weight)
        {
            if (weight is null) throw new ArgumentNullException(nameof(weight), "weight bits depend on the weight");
            CopyWeightSpans(weight, b);
        }
        else
        {
            var formats = ActivationFormats(RoundedFractionalBits()).Formats;
            for (int g = 0; g < Groups; g++) b.AsSpan(g * GroupSpan, GroupSpan).Fill(formats[g].Width);
        }
        var f = FractionalBits;
        return Graph.Record("hgq_bits", bits, [f], g =>
        {
            var gb = g.Contiguous();
            if (GroupSpan == 1)
            {
                // d bits / d f = 1 where the element has bits: the relu-backward mask of the bits themselves.
                GradientSink.Write(f, buffer => GradientMasks.PassWherePositive(b.AsSpan(0, ElementSize), gb.Span, buffer.AsSpan(0, ElementSize)));
                return;
            }
            var gs = gb.Span;
            var df = new float[Groups];
            for (int e = 0; e < ElementSize; e++)
                if (b[e] > 0) df[e / GroupSpan] += gs[e];
            GradientSink.Write(f, buffer => df.CopyTo(buffer, 0));
        });
    }

    /// <summary>
    /// The non-zero bit span of every weight code into <paramref name="destination"/>: from the last forward pass over
    /// the same weight storage when there was one (see <see cref="ElementBits"/>), else computed afresh.
    /// </summary>
    internal void CopyWeightSpans(Tensor weight, Span<float> destination)
    {
        if (Role != HgqRole.Weight) throw new InvalidOperationException("only a weight quantizer has weight spans");
        if (_cachedSpans is not null && ReferenceEquals(_cachedWeight, weight.Storage) && weight.IsContiguous)
        {
            _cachedSpans.CopyTo(destination);
            return;
        }
        var codes = WeightCodes(weight.Detach());
        for (int e = 0; e < ElementSize; e++) destination[e] = FixedPoint.NonZeroSpan(codes[e]);
    }

    /// <summary>
    /// The quantizer's own array of weight spans when it is valid for <paramref name="weight"/> (see
    /// <see cref="ElementBits"/>), else null; <paramref name="version"/> changes whenever the array is rewritten, so a
    /// reader can tell later (<see cref="SpansUnchangedSince"/>) whether what it holds is still what it read.
    /// Not a copy: read it before the next forward pass.
    /// </summary>
    internal float[]? CurrentWeightSpans(Tensor weight, out int version)
    {
        version = _spansVersion;
        return _cachedSpans is not null && ReferenceEquals(_cachedWeight, weight.Storage) && weight.IsContiguous ? _cachedSpans : null;
    }

    internal bool SpansUnchangedSince(Tensor weight, int version) =>
        version == _spansVersion && _cachedSpans is not null && ReferenceEquals(_cachedWeight, weight.Storage) && weight.IsContiguous;

    /// <summary>Integer bit counts per element (the exact counterpart of <see cref="ElementBits"/>).</summary>
    public int[] ElementBitCounts(Tensor? weight = null)
    {
        var result = new int[ElementSize];
        if (Role == HgqRole.Weight)
        {
            if (weight is null) throw new ArgumentNullException(nameof(weight), "weight bits depend on the weight");
            var codes = WeightCodes(weight);
            for (int e = 0; e < ElementSize; e++) result[e] = FixedPoint.NonZeroSpan(codes[e]);
            return result;
        }
        var formats = ActivationFormats(RoundedFractionalBits()).Formats;
        for (int e = 0; e < ElementSize; e++) result[e] = formats[e / GroupSpan].Width;
        return result;
    }

    /// <summary>Keeps f inside [min, max] after an optimizer step (the forward clamps anyway; this stops drift).</summary>
    public void ClampFractionalBits() => AfterStep(clamped: false);

    /// <summary>The interval <see cref="ClampFractionalBits"/> keeps f in.</summary>
    public (float Low, float High) FractionalBitsBounds => (Config.MinFractionalBits - 0.49f, Config.MaxFractionalBits + 0.49f);

    /// <summary>
    /// After an optimizer step: forgets the cached weight spans (weights have moved) and clamps f, unless the bits'
    /// optimizer already clamped it in its update (<paramref name="clamped"/>; see <see cref="MixQ.NN.Optim.BoundedAdam"/>).
    /// </summary>
    internal void AfterStep(bool clamped)
    {
        _cachedWeight = null;
        if (clamped) return;
        var (low, high) = FractionalBitsBounds;
        HgqKernels.Clamp(FractionalBits.Span, low, high);
    }

    /// <summary>
    /// The per-element weight path in one pass (the hot case: every step, every weight): each weight's format from
    /// its own value, its code, its value and its non-zero span, without materialising per-element formats.
    /// Weights never overflow (their range is themselves), so no entry is clipped. Same results as the general path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code (see the remarks above)
    private void QuantizeWeightElements(float[] xs, int xo, float[] ys)
    {
        var spans = _cachedSpans ??= new float[ElementSize];
        _spansVersion++;
        var fr = FractionalBits.Contiguous();
        float[] fs = fr.Storage;
        int fo = fr.Offset;
        int lowF = Config.MinFractionalBits, highF = Config.MaxFractionalBits;
        var rounding = Config.Rounding;
        var overflow = Config.Overflow;
        BatchParallel.For(ElementSize, BatchParallel.ChunksFor(ElementSize, ElementsPerChunk), (_, start, end) =>
            HgqKernels.WeightElements(xs.AsSpan(xo + start, end - start), fs.AsSpan(fo + start, end - start), lowF, highF, rounding, overflow,
                ys.AsSpan(start, end - start), spans.AsSpan(start, end - start)));
        _cachedWeight = xo == 0 ? xs : null;
    }

    /// <summary>Non-zero spans of the weight codes just computed, for <see cref="ElementBits"/> in the same step.</summary>
    private void CacheSpans(Tensor weight, float[] quantized, HgqElementParameters p)
    {
        var spans = _cachedSpans ??= new float[ElementSize];
        _spansVersion++;
        for (int e = 0; e < ElementSize; e++)
        {
            long code = (long)(quantized[e] * p.Scale[e]); // exact: y = m 2^-f with |m| < 2^24
            spans[e] = FixedPoint.NonZeroSpan(code);
        }
        _cachedWeight = weight.Offset == 0 ? weight.Storage : null;
    }

    private int CheckShape(Tensor x, bool batched)
    {
        var shape = x.Shape;
        int skip = batched ? 1 : 0;
        bool ok = shape.Length == _elementShape.Length + skip;
        for (int d = 0; ok && d < _elementShape.Length; d++) ok = shape[d + skip] == _elementShape[d];
        if (!ok)
            throw new ArgumentException($"HGQ {Role.ToString().ToLowerInvariant()} quantizer for elements {ShapeUtil.Format(_elementShape)} got a tensor {ShapeUtil.Format(shape)}");
        return batched ? shape[0] : 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code (see the remarks above)
    private void Observe(Tensor x, int batch)
    {
        var xs = x.Span;
        var lo = RangeMin!.Span;
        var hi = RangeMax!.Span;
        if (_rangesEmpty)
        {
            lo.Fill(float.PositiveInfinity);
            hi.Fill(float.NegativeInfinity);
            _rangesEmpty = false;
        }
        if (GroupSpan == 1)
        {
            // Each chunk of elements widens its own slice of the ranges over every sample, in sample order.
            var storage = x.Storage;
            int offset = x.Offset, elements = ElementSize;
            float[] los = RangeMin.Storage, his = RangeMax.Storage;
            int loOffset = RangeMin.Offset, hiOffset = RangeMax.Offset;
            BatchParallel.For(elements, BatchParallel.ChunksFor(elements, Math.Max(1, ElementsPerChunk / batch)), (_, start, end) =>
            {
                for (int n = 0; n < batch; n++)
                    HgqKernels.Widen(storage.AsSpan(offset + n * elements + start, end - start),
                        los.AsSpan(loOffset + start, end - start), his.AsSpan(hiOffset + start, end - start));
            });
            return;
        }
        for (int n = 0; n < batch; n++)
        {
            var sample = xs.Slice(n * ElementSize, ElementSize);
            for (int e = 0; e < ElementSize; e++)
            {
                float v = sample[e];
                int g = e / GroupSpan;
                if (v < lo[g]) lo[g] = v;
                if (v > hi[g]) hi[g] = v;
            }
        }
    }
}
