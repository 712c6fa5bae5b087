using MixQ.Tensors;

namespace MixQ.NN.Data;

/// <summary>
/// Cuts a data set into batches of (inputs [B, ...sample shape], labels [B]). Shuffling is a seeded
/// permutation per epoch (same seed and epoch, same order), and augmentation draws each sample's crop/flip
/// from a generator seeded by (seed, epoch, sample index), so results are reproducible whatever the thread count.
/// The yielded tensor and label array are reused: a batch is valid until the next one is requested.
/// </summary>
public sealed class DataLoader
{
    /// <summary>Below this many floats per batch, copying on one thread beats the cost of starting parallel work.</summary>
    private const int ParallelThreshold = 1 << 15;

    private readonly Dataset _data;
    private readonly int[] _sampleShape;
    private readonly int[] _batchShape;
    private readonly int _maxThreads;

    public DataLoader(Dataset data, int batchSize, bool shuffle = true, bool dropLast = false, int seed = 0,
        Augmentation? augmentation = null, int maxThreads = 0)
    {
        if (batchSize < 1) throw new MixQException($"batch size must be at least 1, got {batchSize}");
        var shape = data.SampleShape;
        if (augmentation is { IsIdentity: false } && shape.Length != 3)
            throw new MixQException(
                $"{data.Name}: crop/flip augmentation needs image samples [C, H, W], but samples are {ShapeUtil.Format(shape)}");
        if (augmentation is { CropPadding: < 0 })
            throw new MixQException($"crop padding must not be negative, got {augmentation.CropPadding}");
        _data = data;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Seed = seed;
        Augmentation = augmentation is { IsIdentity: false } ? augmentation : null;
        _maxThreads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        _sampleShape = shape;
        _batchShape = [batchSize, .. shape];
    }

    public Dataset Dataset => _data;
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public int Seed { get; }
    public Augmentation? Augmentation { get; }

    public int BatchesPerEpoch => DropLast ? _data.Count / BatchSize : (_data.Count + BatchSize - 1) / BatchSize;

    /// <summary>Sample indices in the order epoch <paramref name="epoch"/> visits them.</summary>
    public int[] Order(int epoch)
    {
        var order = new int[_data.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (Shuffle) SeedMixer.Shuffle(order, SeedMixer.Mix((ulong)Seed, (ulong)epoch));
        return order;
    }

    public IEnumerable<(Tensor Inputs, int[] Labels)> Batches(int epoch)
    {
        int[] order = Order(epoch);
        var fill = PaddingFill();
        Tensor? full = null, tail = null;
        int[]? fullLabels = null, tailLabels = null;
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            int start = b * BatchSize;
            int size = Math.Min(BatchSize, order.Length - start);
            Tensor inputs;
            int[] labels;
            if (size == BatchSize)
            {
                inputs = full ??= Tensor.Uninitialized(_batchShape);
                labels = fullLabels ??= new int[size];
            }
            else
            {
                var shape = (int[])_batchShape.Clone();
                shape[0] = size;
                inputs = tail ??= Tensor.Uninitialized(shape);
                labels = tailLabels ??= new int[size];
            }
            Fill(order, start, size, epoch, inputs.Storage, labels, fill);
            yield return (inputs, labels);
        }
    }

    /// <summary>
    /// Padding shows black (a raw 0 pixel); on a normalized data set that is -mean/std in each channel, which is
    /// what padding before normalizing (the usual torchvision order) produces.
    /// </summary>
    private float[] PaddingFill()
    {
        var fill = new float[_data.Channels];
        if (_data.Normalization is { } n)
            for (int c = 0; c < fill.Length; c++) fill[c] = n.Transform(c, 0f);
        return fill;
    }

    private void Fill(int[] order, int start, int size, int epoch, float[] inputs, int[] labels, float[] fill)
    {
        int sampleSize = _data.SampleSize;
        for (int i = 0; i < size; i++) labels[i] = _data.Labels[order[start + i]];
        if (Augmentation is null && (long)size * sampleSize < ParallelThreshold)
        {
            for (int i = 0; i < size; i++)
                _data.Sample(order[start + i]).CopyTo(inputs.AsSpan(i * sampleSize, sampleSize));
            return;
        }
        // Each sample owns its slice of the batch and its own generator, so any thread schedule writes the same bytes.
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxThreads };
        Parallel.For(0, size, options, i =>
            WriteSample(order[start + i], epoch, inputs.AsSpan(i * sampleSize, sampleSize), fill));
    }

    private void WriteSample(int index, int epoch, Span<float> destination, float[] fill)
    {
        var source = _data.Sample(index);
        if (Augmentation is not { } augmentation)
        {
            source.CopyTo(destination);
            return;
        }
        var rng = new SeedMixer(SeedMixer.Mix((ulong)Seed, (ulong)epoch, (ulong)index));
        var (dy, dx, flip) = augmentation.Draw(ref rng);
        Augmentation.CropAndFlip(source, destination, _sampleShape[0], _sampleShape[1], _sampleShape[2], dy, dx, flip, fill);
    }
}
