using MixQ.NN.Data;
using Xunit.Abstractions;

namespace MixQ.NN.Tests.Data;

/// <summary>
/// Checks against the real data sets where this machine has them. Each test returns early, saying so, when
/// its data is absent, so the suite stays green on machines without /work/shared or a warm MNIST cache.
/// Only the small test splits are read, to keep the suite fast.
/// </summary>
public class RealDataTests(ITestOutputHelper output)
{
    private const string SharedData = "/work/shared/data";

    private bool Absent(string path)
    {
        if (File.Exists(path) || Directory.Exists(path)) return false;
        output.WriteLine($"skipped: {path} is not on this machine");
        return true;
    }

    [Fact]
    public void Cifar10TestSplitHasAThousandImagesPerClass()
    {
        string path = Path.Combine(SharedData, "cifar10", "test_batch.bin.gz");
        if (Absent(path)) return;
        var test = CifarReader.Read("cifar10-test", path);
        Assert.Equal(10000, test.Count);
        Assert.All(test.ClassCounts(), count => Assert.Equal(1000, count));
        Assert.InRange(test.Features.Max(), 200f, 255f);
    }

    [Fact]
    public void Sst2LoadsWithTrainVocabulary()
    {
        if (Absent(Path.Combine(SharedData, "glue", "SST-2", "train.tsv"))) return;
        var (train, test) = DataRegistry.Load("sst2", new DataOptions { SharedDataDirectory = SharedData });
        Assert.Equal(67349, train.Count);
        Assert.Equal(872, test.Count);
        Assert.Equal([64], train.SampleShape);
        Assert.InRange(train.Vocabulary!.Count, 10000, 20000);
        Assert.Equal("it", train.Vocabulary.TokenOf((int)test.Features[0]));
    }

    [Fact]
    public void FashionMnistTestSplitIsBalanced()
    {
        const string dir = "/usr/share/datasets/fashion-mnist";
        if (Absent(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"))) return;
        var test = IdxReader.Read(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), "fashion-test");
        Assert.Equal([1, 28, 28], test.SampleShape);
        Assert.All(test.ClassCounts(), count => Assert.Equal(1000, count));
    }

    [Fact]
    public void CachedNpmMnistHasTheKnownTrainClassCounts()
    {
        string cache = DataLocations.CacheDirectory(new DataOptions());
        string labels = Path.Combine(MnistPackage.DataDirectory(Path.Combine(cache, MnistPackage.CacheFolder)), "train-labels-idx1-ubyte");
        if (Absent(labels)) return;
        var counts = new int[10];
        foreach (int label in IdxReader.ReadLabels(labels)) counts[label]++;
        Assert.Equal(MnistPackage.TrainClassCounts, counts);
    }
}
