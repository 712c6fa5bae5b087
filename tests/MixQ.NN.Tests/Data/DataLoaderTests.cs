using MixQ;
using MixQ.NN.Data;

namespace MixQ.NN.Tests.Data;

public class DataLoaderTests
{
    /// <summary>Sample i of a [c, h, w] set holds values 1000*i + position, so every value names its origin.</summary>
    private static Dataset Images(int count, int c = 2, int h = 4, int w = 5)
    {
        int size = c * h * w;
        var features = new float[count * size];
        for (int i = 0; i < features.Length; i++) features[i] = 1000 * (i / size) + i % size;
        var labels = Enumerable.Range(0, count).Select(i => i % 7).ToArray();
        return new Dataset("img", features, labels, [c, h, w], 7, DatasetKind.Image);
    }

    [Fact]
    public void SameSeedAndEpochGiveTheSameOrder()
    {
        var data = Images(50);
        var a = new DataLoader(data, 8, seed: 42);
        var b = new DataLoader(data, 5, seed: 42);
        Assert.Equal(a.Order(3), b.Order(3));
        Assert.NotEqual(a.Order(3), a.Order(4));
        Assert.NotEqual(a.Order(3), new DataLoader(data, 8, seed: 43).Order(3));
    }

    [Fact]
    public void EveryIndexExactlyOncePerEpoch()
    {
        var data = Images(37);
        var loader = new DataLoader(data, 8, seed: 7);
        for (int epoch = 0; epoch < 5; epoch++)
        {
            var visited = loader.Batches(epoch).SelectMany(batch => batch.Inputs.ToArray()
                .Where((_, k) => k % data.SampleSize == 0).Select(v => (int)(v / 1000))).ToArray();
            Assert.Equal(loader.Order(epoch), visited);
            Assert.Equal(Enumerable.Range(0, 37), visited.Order());
        }
    }

    [Fact]
    public void BatchesCopySamplesAndLabelsInOrder()
    {
        var data = Images(11);
        var loader = new DataLoader(data, 4, seed: 3);
        var order = loader.Order(0);
        var batches = loader.Batches(0).Select(b => (Shape: b.Inputs.ShapeArray(), Values: b.Inputs.ToArray(), Labels: b.Labels.ToArray())).ToList();

        Assert.Equal(3, batches.Count);
        Assert.Equal([4, 2, 4, 5], batches[0].Shape);
        Assert.Equal([3, 2, 4, 5], batches[2].Shape);
        for (int b = 0; b < batches.Count; b++)
            for (int j = 0; j < batches[b].Labels.Length; j++)
            {
                int index = order[b * 4 + j];
                Assert.Equal(data.Labels[index], batches[b].Labels[j]);
                Assert.Equal(data.Sample(index).ToArray(), batches[b].Values.AsSpan(j * 40, 40).ToArray());
            }
    }

    [Fact]
    public void DropLastAndUnshuffledOrder()
    {
        var data = Images(11);
        var loader = new DataLoader(data, 4, shuffle: false, dropLast: true);
        Assert.Equal(2, loader.BatchesPerEpoch);
        Assert.Equal(Enumerable.Range(0, 11), loader.Order(9));
        Assert.All(loader.Batches(0), b => Assert.Equal(4, b.Labels.Length));
    }

    [Fact]
    public void FullBatchBuffersAreReused()
    {
        var loader = new DataLoader(Images(12), 4);
        var tensors = loader.Batches(0).Select(b => b.Inputs).ToList();
        Assert.Same(tensors[0], tensors[2]);
    }

    private static List<float[]> Collect(DataLoader loader, int epoch) =>
        loader.Batches(epoch).SelectMany(b => Enumerable.Range(0, b.Labels.Length)
            .Select(j => b.Inputs.ToArray().AsSpan(j * loader.Dataset.SampleSize, loader.Dataset.SampleSize).ToArray())).ToList();

    [Fact]
    public void AugmentationDependsOnlyOnSeedEpochAndIndex()
    {
        var data = Images(40);
        var augmentation = new Augmentation(CropPadding: 2, HorizontalFlip: true);
        var oneThread = Collect(new DataLoader(data, 8, seed: 9, augmentation: augmentation, maxThreads: 1), 2);
        var fourThreads = Collect(new DataLoader(data, 8, seed: 9, augmentation: augmentation, maxThreads: 4), 2);
        var otherBatching = Collect(new DataLoader(data, 13, seed: 9, augmentation: augmentation), 2);
        Assert.Equal(oneThread, fourThreads);
        Assert.Equal(oneThread, otherBatching);
        Assert.NotEqual(oneThread, Collect(new DataLoader(data, 8, seed: 9, augmentation: augmentation), 3));
    }

    [Fact]
    public void AugmentedSamplesAreCropsOfTheirSourceAndVary()
    {
        var data = Images(30);
        var loader = new DataLoader(data, 6, seed: 1, augmentation: new Augmentation(1, true));
        var order = loader.Order(0);
        var samples = Collect(loader, 0);
        var used = new HashSet<(int, int, bool)>();
        var candidate = new float[data.SampleSize];
        for (int k = 0; k < samples.Count; k++)
        {
            var source = data.Sample(order[k]);
            bool matched = false;
            for (int dy = -1; dy <= 1 && !matched; dy++)
                for (int dx = -1; dx <= 1 && !matched; dx++)
                    foreach (bool flip in new[] { false, true })
                    {
                        Augmentation.CropAndFlip(source, candidate, 2, 4, 5, dy, dx, flip, [0f, 0f]);
                        if (candidate.AsSpan().SequenceEqual(samples[k]))
                        {
                            used.Add((dy, dx, flip));
                            matched = true;
                            break;
                        }
                    }
            Assert.True(matched, $"sample {k} is not a pad-1 crop/flip of dataset index {order[k]}");
        }
        Assert.True(used.Count >= 6, $"only {used.Count} distinct crop/flip choices in 30 samples");
    }

    [Fact]
    public void PaddingIsBlackInNormalizedUnits()
    {
        var data = Images(6, c: 2, h: 2, w: 2);
        var n = new Normalization(0.5f, [10f, 20f], [2f, 5f]);
        n.Apply(data);
        // A raw 0 pixel becomes (0 * 0.5 - 10) / 2 = -5 in channel 0 and (0 - 20) / 5 = -4 in channel 1;
        // every output value must be that fill or a value of the same channel of its source image.
        var loader = new DataLoader(data, 3, seed: 4, augmentation: new Augmentation(CropPadding: 1));
        var order = loader.Order(0);
        var samples = Collect(loader, 0);
        int padded = 0;
        for (int k = 0; k < samples.Count; k++)
        {
            var source = data.Sample(order[k]);
            for (int e = 0; e < 8; e++)
            {
                int channel = e / 4;
                float fill = channel == 0 ? -5f : -4f;
                bool fromSource = source.Slice(channel * 4, 4).IndexOf(samples[k][e]) >= 0;
                Assert.True(fromSource || samples[k][e] == fill, $"sample {k} element {e} = {samples[k][e]}");
                if (!fromSource) padded++;
            }
        }
        Assert.True(padded > 0);
    }

    [Fact]
    public void AugmentationNeedsImages()
    {
        var table = new Dataset("tab", new float[12], new int[3], [4], 1, DatasetKind.Table);
        AssertError.Names("tab", () => new DataLoader(table, 2, augmentation: Augmentation.Cifar), "[C, H, W]");
        Assert.Throws<MixQException>(() => new DataLoader(table, 0));
    }
}
