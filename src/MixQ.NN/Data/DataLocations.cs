namespace MixQ.NN.Data;

/// <summary>Finds the download cache and the shared data folder (which must never be copied into the repository).</summary>
public static class DataLocations
{
    public const string CacheVariable = "MIXQ_CACHE";
    public const string SharedDataVariable = "MIXQ_DATA";

    public static string CacheDirectory(DataOptions options)
    {
        if (options.CacheDirectory is { Length: > 0 } explicitDir) return Path.GetFullPath(explicitDir);
        if (Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } fromEnv) return Path.GetFullPath(fromEnv);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "mixq");
    }

    /// <summary>
    /// The shared data folder: the option, else $MIXQ_DATA, else the first <c>shared/data</c> found walking up
    /// from the current directory and from the application's directory. The repository sits beside
    /// <c>shared</c> (/work/main next to /work/shared; a CI clone likewise), so the walk finds it from inside
    /// the repository, from its build output, and from the folder above it.
    /// </summary>
    public static string SharedDataDirectory(DataOptions options)
    {
        if (options.SharedDataDirectory is { Length: > 0 } explicitDir)
            return RequireDirectory(explicitDir, "the shared data folder");
        if (Environment.GetEnvironmentVariable(SharedDataVariable) is { Length: > 0 } fromEnv)
            return RequireDirectory(fromEnv, $"{SharedDataVariable}");

        var starts = new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory };
        foreach (string start in starts)
            if (FindUpward(start) is string found) return found;
        throw new MixQException(
            $"shared data folder not found: set {SharedDataVariable} or put the data in shared/data beside the repository (searched upward from {string.Join(" and ", starts.Distinct())})");
    }

    internal static string? FindUpward(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            foreach (string candidate in new[] { Path.Combine(dir.FullName, "shared", "data"), Path.Combine(dir.FullName, "..", "shared", "data") })
                if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    private static string RequireDirectory(string path, string what)
    {
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(full)) throw new MixQException($"{full}: {what} does not exist");
        return full;
    }
}
