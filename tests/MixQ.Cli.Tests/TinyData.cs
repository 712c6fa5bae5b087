using System.Globalization;
using System.Text;

namespace MixQ.Cli.Tests;

/// <summary>
/// Small, learnable data sets written to a temp folder: a CSV table whose class is the arg-max of the first three
/// features, split into train and test files, so end-to-end runs take seconds.
/// </summary>
internal static class TinyData
{
    public static string WriteCsv(string folder, int trainRows = 600, int testRows = 200, int seed = 1, int features = 6)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        Write(Path.Combine(folder, "train.csv"), trainRows, rng, features);
        Write(Path.Combine(folder, "test.csv"), testRows, rng, features);
        return Path.Combine(folder, "train.csv");
    }

    private static void Write(string path, int rows, Random rng, int features)
    {
        var sb = new StringBuilder(string.Join(',', Enumerable.Range(0, features).Select(i => $"f{i}")) + ",label\n");
        for (int r = 0; r < rows; r++)
        {
            var f = Enumerable.Range(0, features).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            int label = f[0] > f[1] ? (f[0] > f[2] ? 0 : 2) : (f[1] > f[2] ? 1 : 2);
            sb.AppendLine(string.Join(',', f.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))) + "," + label);
        }
        File.WriteAllText(path, sb.ToString());
    }
}
