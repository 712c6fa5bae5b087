using System.Numerics.Tensors;

namespace MixQ.NN.Data;

/// <summary>
/// Per-channel affine normalization x' = (x * Scale - Mean[c]) / Std[c], fitted on the training set and applied
/// unchanged to the test set (and later to deployment inputs, which is why a checkpoint stores these constants).
/// Mean and Std are in scaled units, e.g. for CIFAR-10 about (0.49, 0.48, 0.45) / (0.25, 0.24, 0.26).
/// </summary>
public sealed record Normalization(float Scale, float[] Mean, float[] Std)
{
    /// <summary>Raw pixels are bytes; 1/255 maps them to [0, 1] before standardizing.</summary>
    public const float PixelScale = 1f / 255f;

    /// <summary>Channels whose spread is below this are left unscaled (a constant column would divide by 0).</summary>
    private const double MinStd = 1e-6;

    public int Channels => Mean.Length;

    /// <summary>The usual normalization for the data set's kind, fitted on it; null for text (token ids).</summary>
    public static Normalization? DefaultFor(Dataset train) => train.Kind switch
    {
        DatasetKind.Image => Fit(train, PixelScale),
        DatasetKind.Table => Fit(train, 1f),
        _ => null,
    };

    /// <summary>
    /// Population mean and standard deviation of each channel (the first sample dimension) over all samples,
    /// reported in scaled units. Each sample's channel block is summarized by TensorPrimitives sums of its
    /// deviations from the block's own mean, and blocks are merged in double with Chan, Golub and LeVeque's
    /// pairwise update (M2 = M2a + M2b + delta^2 * na * nb / n), so values far from zero lose no precision to
    /// the cancellation of E[x^2] - E[x]^2. A channel with (near) zero spread gets std 1 rather than a division by 0.
    /// </summary>
    public static Normalization Fit(Dataset train, float scale)
    {
        if (train.Count == 0) throw new MixQException($"{train.Name}: cannot fit a normalization on an empty data set");
        if (train.Kind == DatasetKind.Text) throw new MixQException($"{train.Name}: token ids must not be normalized");
        int channels = train.Channels;
        int block = train.SampleSize / channels;
        var count = new double[channels];
        var mean = new double[channels];
        var m2 = new double[channels];
        var deviations = new float[block];
        for (int i = 0; i < train.Count; i++)
        {
            var sample = train.Sample(i);
            for (int c = 0; c < channels; c++)
            {
                double blockMean, blockM2;
                if (block == 1)
                {
                    blockMean = sample[c];
                    blockM2 = 0;
                }
                else
                {
                    // Shifted-data sums: with d = x - shift and shift near the block mean, the float sums of d
                    // and d^2 lose nothing to cancellation (mean = shift + S1/n, M2 = S2 - S1^2/n).
                    var x = sample.Slice(c * block, block);
                    var d = deviations.AsSpan(0, block);
                    float shift = TensorPrimitives.Sum(x) / block;
                    TensorPrimitives.Subtract(x, shift, d);
                    double s1 = TensorPrimitives.Sum<float>(d);
                    double s2 = TensorPrimitives.SumOfSquares<float>(d);
                    blockMean = shift + s1 / block;
                    blockM2 = Math.Max(0, s2 - s1 * s1 / block);
                }
                double n = count[c] + block;
                double delta = blockMean - mean[c];
                mean[c] += delta * block / n;
                m2[c] += blockM2 + delta * delta * count[c] * block / n;
                count[c] = n;
            }
        }
        var meanOut = new float[channels];
        var stdOut = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double std = Math.Sqrt(m2[c] / count[c]) * scale;
            meanOut[c] = (float)(mean[c] * scale);
            stdOut[c] = std < MinStd ? 1f : (float)std;
        }
        return new Normalization(scale, meanOut, stdOut);
    }

    /// <summary>Normalizes <paramref name="data"/> in place (data sets are large) and records the constants on it.</summary>
    public void Apply(Dataset data)
    {
        if (data.Normalization is not null) throw new InvalidOperationException($"{data.Name} is already normalized");
        if (data.Channels != Channels)
            throw new MixQException($"{data.Name}: has {data.Channels} channels but the normalization was fitted on {Channels}");
        // Expand the per-channel constants to one value per sample element so each sample is a single fused
        // multiply-add, whatever the block length (1 for table columns, H*W for images).
        int block = data.SampleSize / Channels;
        var multiplier = new float[data.SampleSize];
        var offset = new float[data.SampleSize];
        for (int c = 0; c < Channels; c++)
        {
            multiplier.AsSpan(c * block, block).Fill(Scale / Std[c]);
            offset.AsSpan(c * block, block).Fill(-Mean[c] / Std[c]);
        }
        Parallel.For(0, data.Count, i =>
        {
            var sample = data.Features.AsSpan(i * data.SampleSize, data.SampleSize);
            TensorPrimitives.MultiplyAdd(sample, multiplier, offset, sample);
        });
        data.Normalization = this;
    }

    /// <summary>What a raw value becomes in channel <paramref name="channel"/> (e.g. a black padding pixel).</summary>
    public float Transform(int channel, float raw) => (raw * Scale - Mean[channel]) / Std[channel];
}
