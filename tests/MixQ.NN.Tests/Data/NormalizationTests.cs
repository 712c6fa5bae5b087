using MixQ.NN.Data;

namespace MixQ.NN.Tests.Data;

public class NormalizationTests
{
    /// <summary>Per-channel population mean/std in double, the textbook two-pass way.</summary>
    private static (double[] Mean, double[] Std) Reference(Dataset d)
    {
        int channels = d.Channels, block = d.SampleSize / channels;
        var mean = new double[channels];
        var std = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int i = 0; i < d.Count; i++)
                for (int k = 0; k < block; k++) sum += d.Sample(i)[c * block + k];
            mean[c] = sum / ((double)d.Count * block);
            double squares = 0;
            for (int i = 0; i < d.Count; i++)
                for (int k = 0; k < block; k++) squares += Math.Pow(d.Sample(i)[c * block + k] - mean[c], 2);
            std[c] = Math.Sqrt(squares / ((double)d.Count * block));
        }
        return (mean, std);
    }

    private static Dataset RandomImages(int count, int channels, int height, int width, float offset, float spread, int seed)
    {
        var rng = new Random(seed);
        var features = new float[count * channels * height * width];
        for (int i = 0; i < features.Length; i++) features[i] = offset + spread * (float)rng.NextDouble() + i % 3;
        return new Dataset("r", features, new int[count], [channels, height, width], 1, DatasetKind.Image);
    }

    [Theory]
    [InlineData(0f, 255f)]
    // Values far from zero with a small spread: E[x^2] - E[x]^2 in float would lose all digits here.
    [InlineData(10000f, 0.5f)]
    public void FitMatchesScalarDoubleComputation(float offset, float spread)
    {
        var data = RandomImages(9, 3, 5, 7, offset, spread, seed: 1);
        var (mean, std) = Reference(data);
        var n = Normalization.Fit(data, scale: 0.5f);
        Assert.Equal(0.5f, n.Scale);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(0.5 * mean[c], n.Mean[c], 0.5 * mean[c] * 1e-6 + 1e-6);
            Assert.Equal(0.5 * std[c], n.Std[c], 0.5 * std[c] * 1e-4);
        }
    }

    [Fact]
    public void TableColumnsAreChannels()
    {
        float[] features = [1, 10, 3, 20, 5, 60, 7, 30];
        var data = new Dataset("t", features, [0, 1, 0, 1], [2], 2, DatasetKind.Table);
        var n = Normalization.DefaultFor(data)!;
        Assert.Equal(1f, n.Scale);
        Assert.Equal([4f, 30f], n.Mean);
        Assert.Equal(Math.Sqrt(5), n.Std[0], 1e-6);
        Assert.Equal(Math.Sqrt(350), n.Std[1], 1e-5);
    }

    [Fact]
    public void ApplyStandardizesTrainAndUsesTrainConstantsOnTest()
    {
        var train = RandomImages(6, 2, 3, 3, 0, 255, seed: 2);
        var test = RandomImages(4, 2, 3, 3, 0, 255, seed: 3);
        float rawTest = test.Features[10];
        var n = Normalization.DefaultFor(train)!;
        Assert.Equal(Normalization.PixelScale, n.Scale);
        n.Apply(train);
        n.Apply(test);

        var (mean, std) = Reference(train);
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(0, mean[c], 1e-5);
            Assert.Equal(1, std[c], 1e-5);
        }
        // Element 10 of sample 0 lies in channel 1 (9 values per channel).
        Assert.Equal((rawTest / 255f - n.Mean[1]) / n.Std[1], test.Features[10], 1e-5f);
        Assert.Same(n, test.Normalization);
        Assert.Throws<InvalidOperationException>(() => n.Apply(test));
    }

    [Fact]
    public void ConstantChannelIsNotDividedByZero()
    {
        var data = new Dataset("c", [5, 1, 5, 2], [0, 0], [2], 1, DatasetKind.Table);
        var n = Normalization.Fit(data, 1f);
        Assert.Equal(1f, n.Std[0]);
        n.Apply(data);
        Assert.Equal(0f, data.Features[0]);
    }

    [Fact]
    public void TextIsNotNormalized()
    {
        var text = new Dataset("s", [2, 3, 0], [1], [3], 2, DatasetKind.Text);
        Assert.Null(Normalization.DefaultFor(text));
    }
}
