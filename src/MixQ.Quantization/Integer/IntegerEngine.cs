using MixQ.Tensors.Kernels;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Runs an <see cref="IntegerModel"/>: the float input is quantized once, then every layer computes with exact
/// integer arithmetic. By default codes travel between layers as bytes and Dense/Conv2d run the int8 GEMM
/// (<see cref="Int8Gemm"/>, AVX-VNNI where present) with the requantization fused into its output
/// (<see cref="Int8Pipeline"/>); layers that cannot run exactly in int8 take the 64-bit path (<see cref="WideLayers"/>).
/// Samples are split over threads in contiguous chunks; results never depend on the thread count or the path.
/// </summary>
public sealed class IntegerEngine
{
    /// <summary>Samples per pass of the 64-bit path and per traced pass.</summary>
    private const int MiniBatch = 256;

    /// <summary>Samples per pass of the int8 path: enough rows to reuse each weight panel, small enough for L2.</summary>
    private const int Int8Batch = 64;

    [ThreadStatic] private static Workspace? t_workspace;

    private readonly PreparedMatrix?[] _matrices;
    private readonly int[][] _shapes;
    private readonly Int8Pipeline? _int8;

    /// <param name="simd">false forces the 64-bit path everywhere (a reference for tests and benchmarks).</param>
    public IntegerEngine(IntegerModel model, bool simd = true)
        : this(model, simd ? Int8Gemm.Best : null)
    {
    }

    /// <summary>An engine whose int8 GEMM uses <paramref name="isa"/> (null: the 64-bit path only); for tests.</summary>
    internal IntegerEngine(IntegerModel model, Int8Isa? isa)
    {
        Model = model;
        var ranges = model.Analyze();
        _shapes = ranges.Select(r => r.Shape).ToArray();
        _matrices = model.Layers.Select(l => l switch
        {
            IntDense d => new PreparedMatrix(d.Weights, d.Bias),
            IntConv2d c => new PreparedMatrix(c.Weights, c.Bias),
            _ => null,
        }).ToArray();
        // A model none of whose matrices fit the int8 GEMM (an HGQ model with wide codes) runs the 64-bit path directly.
        if (isa is { } chosen && new Int8Pipeline(model, ranges, _matrices, chosen) is { PackedLayers: > 0 } pipeline) _int8 = pipeline;
    }

    public IntegerModel Model { get; }

    /// <summary>How many Dense/Conv2d layers run on the int8 SIMD path (the rest use the 64-bit path).</summary>
    public int SimdLayers => _int8?.PackedLayers ?? 0;

    /// <summary>
    /// Called after the entrance (layer -1) and after every layer with that layer's output for a mini-batch of up to
    /// 256 samples ([count, size] longs). While set, inference runs on the calling thread and requantizations are
    /// not fused into the preceding GEMM, so every layer's integers are observable.
    /// </summary>
    public Action<int, long[], int>? Trace { get; set; }

    /// <summary>Integer logits [count, classes] for <paramref name="count"/> samples laid out one after another.</summary>
    public long[] Logits(ReadOnlySpan<float> inputs, int count)
    {
        int sampleSize = WideLayers.Size(Model.InputShape);
        if (inputs.Length != (long)count * sampleSize)
            throw new MixQException($"integer inference: {inputs.Length} input values for {count} samples of [{string.Join(", ", Model.InputShape)}]");
        int k = Model.NumClasses;
        var logits = new long[(long)count * k];
        var trace = Trace;
        if (_int8 is null || trace is not null)
        {
            var workspace = new Workspace();
            for (int start = 0; start < count; start += MiniBatch)
            {
                int n = Math.Min(MiniBatch, count - start);
                var slice = inputs.Slice(start * sampleSize, n * sampleSize);
                var result = _int8 is null ? RunWide(slice, n, trace) : _int8.Run(slice, n, workspace, trace);
                result.AsSpan(0, n * k).CopyTo(logits.AsSpan(start * k));
            }
            return logits;
        }
        unsafe
        {
            fixed (float* pointer = inputs)
            {
                // A span cannot enter the lambda; the pinned pointer can (the call does not return before the work ends).
                var address = (nint)pointer;
                BatchParallel.For(count, BatchParallel.ChunksFor(count, Int8Batch), (_, start, end) =>
                {
                    var workspace = t_workspace ??= new Workspace();
                    var all = new ReadOnlySpan<float>((float*)address, count * sampleSize);
                    for (int s = start; s < end; s += Int8Batch)
                    {
                        int n = Math.Min(Int8Batch, end - s);
                        var result = _int8.Run(all.Slice(s * sampleSize, n * sampleSize), n, workspace, null);
                        result.AsSpan(0, n * k).CopyTo(logits.AsSpan(s * k));
                    }
                });
            }
        }
        return logits;
    }

    /// <summary>Arg-max of each sample's logits (lowest index on ties).</summary>
    public int[] Predict(ReadOnlySpan<float> inputs, int count)
    {
        var logits = Logits(inputs, count);
        int k = Model.NumClasses;
        var predictions = new int[count];
        for (int i = 0; i < count; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
            predictions[i] = best;
        }
        return predictions;
    }

    private long[] RunWide(ReadOnlySpan<float> inputs, int count, Action<int, long[], int>? trace)
    {
        var x = new long[inputs.Length];
        Model.Input.Quantize(inputs, x);
        trace?.Invoke(-1, x, count);
        for (int l = 0; l < Model.Layers.Count; l++)
        {
            x = WideLayers.Run(Model.Layers[l], _matrices[l], x, count, _shapes[l], _shapes[l + 1], parallel: true);
            trace?.Invoke(l, x, count);
        }
        return x;
    }
}
