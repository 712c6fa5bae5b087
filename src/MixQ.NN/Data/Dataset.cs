using MixQ.Tensors;

namespace MixQ.NN.Data;

/// <summary>
/// An in-memory labelled data set: <see cref="Count"/> samples of shape <see cref="SampleShape"/> stored
/// row-major one after another in <see cref="Features"/>, with one class label per sample.
/// </summary>
public sealed class Dataset
{
    private readonly int[] _sampleShape;

    public Dataset(
        string name,
        float[] features,
        int[] labels,
        int[] sampleShape,
        int numClasses,
        DatasetKind kind,
        Vocabulary? vocabulary = null,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (sampleShape.Length == 0) throw new ArgumentException("a sample shape needs at least one dimension");
        int sampleSize = ShapeUtil.Size(sampleShape);
        if (sampleSize == 0) throw new ArgumentException($"empty sample shape {ShapeUtil.Format(sampleShape)}");
        if ((long)labels.Length * sampleSize != features.Length)
            throw new ArgumentException(
                $"{features.Length} feature values do not make {labels.Length} samples of shape {ShapeUtil.Format(sampleShape)}");
        if (numClasses < 1) throw new ArgumentException($"numClasses must be positive, got {numClasses}");
        foreach (int label in labels)
            if ((uint)label >= (uint)numClasses)
                throw new ArgumentException($"label {label} is outside 0..{numClasses - 1}");
        if (classNames is not null && classNames.Count != numClasses)
            throw new ArgumentException($"{classNames.Count} class names for {numClasses} classes");

        Name = name;
        Features = features;
        Labels = labels;
        _sampleShape = (int[])sampleShape.Clone();
        SampleSize = sampleSize;
        NumClasses = numClasses;
        Kind = kind;
        Vocabulary = vocabulary;
        ClassNames = classNames;
    }

    public string Name { get; }

    /// <summary>Count x SampleSize values, sample after sample.</summary>
    public float[] Features { get; }

    public int[] Labels { get; }

    /// <summary>Shape of one sample, e.g. [1, 28, 28], [3, 32, 32], [784] or [T] (a copy).</summary>
    public int[] SampleShape => (int[])_sampleShape.Clone();

    public int SampleSize { get; }

    public int Count => Labels.Length;

    public int NumClasses { get; }

    public DatasetKind Kind { get; }

    /// <summary>The token vocabulary of a text data set (ids in <see cref="Features"/> index it).</summary>
    public Vocabulary? Vocabulary { get; }

    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The constants applied by <see cref="Data.Normalization.Apply"/>, once applied (checkpoints store them).</summary>
    public Normalization? Normalization { get; internal set; }

    /// <summary>Number of channels: the first sample dimension ([C,H,W] images; each column of a table).</summary>
    public int Channels => _sampleShape[0];

    public ReadOnlySpan<float> Sample(int index) => Features.AsSpan(checked(index * SampleSize), SampleSize);

    public int[] ClassCounts()
    {
        var counts = new int[NumClasses];
        foreach (int label in Labels) counts[label]++;
        return counts;
    }

    /// <summary>A new data set holding copies of the samples at <paramref name="indices"/>, in that order.</summary>
    /// <summary>The first <paramref name="count"/> samples (smoke runs); the whole set when count is 0 or too large.</summary>
    public Dataset Limit(int count) =>
        count > 0 && count < Count ? Subset(Enumerable.Range(0, count).ToArray()) : this;

    public Dataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        var features = new float[checked(indices.Length * SampleSize)];
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            Sample(indices[i]).CopyTo(features.AsSpan(i * SampleSize, SampleSize));
            labels[i] = Labels[indices[i]];
        }
        return new Dataset(name ?? Name, features, labels, _sampleShape, NumClasses, Kind, Vocabulary, ClassNames)
        {
            Normalization = Normalization,
        };
    }

    /// <summary>The same arrays seen with a larger class count (so a train/test pair agree on it).</summary>
    internal Dataset WithNumClasses(int numClasses) =>
        numClasses == NumClasses
            ? this
            : new Dataset(Name, Features, Labels, _sampleShape, numClasses, Kind, Vocabulary, null) { Normalization = Normalization };

    public override string ToString() =>
        $"{Name}: {Count} samples of {ShapeUtil.Format(_sampleShape)}, {NumClasses} classes";
}
