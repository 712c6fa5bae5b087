namespace MixQ.NN.Data;

/// <summary>
/// A data source given as a path: a folder of IDX files (MNIST layout), of CIFAR-10 binary batches, or of
/// SST-2 style train.tsv/dev.tsv; or a single CSV/TSV table, tested on a file beside it or on a seeded
/// random share of its rows.
/// </summary>
internal static class LocalSource
{
    public static DataSplit Load(string source, DataOptions options, Action<string>? log)
    {
        if (Directory.Exists(source)) return LoadDirectory(Path.GetFullPath(source), options, log);
        if (File.Exists(source)) return LoadTable(Path.GetFullPath(source), options, log);
        throw new MixQException(
            $"{source}: not a known data set ({string.Join(", ", DataRegistry.Names)}) nor an existing file or folder");
    }

    private static DataSplit LoadDirectory(string dir, DataOptions options, Action<string>? log)
    {
        foreach (string folder in new[] { dir, Path.Combine(dir, "package", "data"), Path.Combine(dir, "cifar-10-batches-bin") })
        {
            if (!Directory.Exists(folder)) continue;
            if (FindIdx(folder) is DataSplit idx) return Report(idx, folder, "IDX", log);
            if (FindCifar(folder) is DataSplit cifar) return Report(cifar, folder, "CIFAR", log);
        }
        string trainTsv = Path.Combine(dir, "train.tsv"), devTsv = Path.Combine(dir, "dev.tsv");
        if (File.Exists(trainTsv) && File.Exists(devTsv))
        {
            log?.Invoke($"reading sentences from {trainTsv} (vocabulary) and {devTsv} (test)");
            return Sst2Reader.Read(trainTsv, devTsv, options.Text);
        }
        throw new MixQException(
            $"{dir}: holds no recognised data: expected IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...), CIFAR batches (train_batch.bin[.gz] or data_batch_1..5.bin, test_batch.bin) or train.tsv + dev.tsv");
    }

    private static DataSplit Report(DataSplit split, string folder, string kind, Action<string>? log)
    {
        log?.Invoke($"read {kind} files from {folder}");
        return split;
    }

    private static DataSplit? FindIdx(string dir)
    {
        string? trainImages = FindFile(dir, "train-images-idx3-ubyte", "train-images.idx3-ubyte");
        if (trainImages is null) return null;
        string trainLabels = Require(dir, trainImages, "train-labels-idx1-ubyte", "train-labels.idx1-ubyte");
        string testImages = Require(dir, trainImages, "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte", "test-images-idx3-ubyte");
        string testLabels = Require(dir, trainImages, "t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte", "test-labels-idx1-ubyte");
        string name = Path.GetFileName(dir.TrimEnd(Path.DirectorySeparatorChar));
        // The class count follows the labels: MNIST-format files are not always 10-class (EMNIST has 26 or 47).
        var train = IdxReader.Read(trainImages, trainLabels, $"{name}-train", numClasses: null);
        var test = IdxReader.Read(testImages, testLabels, $"{name}-test", numClasses: null);
        int classes = Math.Max(train.NumClasses, test.NumClasses);
        return new DataSplit(train.WithNumClasses(classes), test.WithNumClasses(classes));
    }

    private static DataSplit? FindCifar(string dir)
    {
        string? test = FindFile(dir, "test_batch.bin");
        string? train = FindFile(dir, "train_batch.bin");
        var batches = Enumerable.Range(1, 5).Select(i => FindFile(dir, $"data_batch_{i}.bin")).ToArray();
        if (train is null && batches.All(b => b is null)) return null;
        if (test is null) throw new MixQException($"{dir}: has CIFAR training batches but no test_batch.bin[.gz]");
        string[] trainFiles = train is not null ? [train] : batches.Where(b => b is not null).Select(b => b!).ToArray();
        return new DataSplit(CifarReader.Read("cifar10-train", trainFiles), CifarReader.Read("cifar10-test", test));
    }

    private static string? FindFile(string dir, params string[] names)
    {
        foreach (string name in names)
            foreach (string candidate in new[] { name, name + ".gz" })
                if (File.Exists(Path.Combine(dir, candidate))) return Path.Combine(dir, candidate);
        return null;
    }

    private static string Require(string dir, string found, params string[] names) =>
        FindFile(dir, names) ?? throw new MixQException($"{dir}: has {Path.GetFileName(found)} but no {names[0]}[.gz]");

    private static DataSplit LoadTable(string path, DataOptions options, Action<string>? log)
    {
        var train = TableReader.Read(path, options.Table);
        string? testPath = options.TestPath ?? FindTestFile(path);
        if (testPath is not null)
        {
            log?.Invoke($"read {path} (train) and {testPath} (test)");
            var test = TableReader.Read(testPath, options.Table);
            if (!test.SampleShape.AsSpan().SequenceEqual(train.SampleShape))
                throw new MixQException($"{testPath}: has {test.SampleSize} feature columns but {path} has {train.SampleSize}");
            int classes = Math.Max(train.NumClasses, test.NumClasses);
            return new DataSplit(train.WithNumClasses(classes), test.WithNumClasses(classes));
        }
        log?.Invoke($"read {path}; holding out {options.TestFraction:P0} of its rows for testing (seed {options.SplitSeed})");
        return RandomSplit(train, options.TestFraction, options.SplitSeed);
    }

    /// <summary>A test file beside the train file: "train" replaced by "test" in the name, or name.test.ext / name_test.ext.</summary>
    internal static string? FindTestFile(string path)
    {
        string dir = Path.GetDirectoryName(path) ?? ".";
        string file = Path.GetFileName(path);
        var candidates = new List<string>();
        if (file.Contains("train", StringComparison.Ordinal)) candidates.Add(file.Replace("train", "test", StringComparison.Ordinal));
        if (file.Contains("TRAIN", StringComparison.Ordinal)) candidates.Add(file.Replace("TRAIN", "TEST", StringComparison.Ordinal));
        int dot = file.IndexOf('.');
        if (dot > 0)
        {
            candidates.Add(file[..dot] + ".test" + file[dot..]);
            candidates.Add(file[..dot] + "_test" + file[dot..]);
        }
        return candidates.Select(c => Path.Combine(dir, c)).FirstOrDefault(c => c != path && File.Exists(c));
    }

    /// <summary>Holds out round(fraction * n) rows chosen by a seeded shuffle; both parts keep file order.</summary>
    internal static DataSplit RandomSplit(Dataset all, double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new MixQException($"test fraction must be between 0 and 1, got {fraction}");
        int testCount = (int)Math.Round(all.Count * fraction);
        if (testCount == 0 || testCount == all.Count)
            throw new MixQException($"{all.Name}: {all.Count} rows are too few to hold out {fraction:P0} for testing");
        var order = Enumerable.Range(0, all.Count).ToArray();
        SeedMixer.Shuffle(order, SeedMixer.Mix((ulong)seed, 0x5EED));
        var test = order[..testCount];
        var train = order[testCount..];
        Array.Sort(test);
        Array.Sort(train);
        return new DataSplit(all.Subset(train, all.Name + "-train"), all.Subset(test, all.Name + "-test"));
    }
}
