using System.Numerics.Tensors;

namespace MixQ.NN.Data;

/// <summary>
/// Reader for the CIFAR-10 "binary version" (raw or gzip): records of 1 label byte followed by 3072 pixel
/// bytes (1024 red, 1024 green, 1024 blue, each a row-major 32x32 plane), which is already the [3, 32, 32]
/// channel-first layout the networks use.
/// </summary>
public static class CifarReader
{
    public const int Channels = 3;
    public const int Height = 32;
    public const int Width = 32;
    public const int ImageBytes = Channels * Height * Width;
    public const int RecordBytes = 1 + ImageBytes;
    public const int NumClasses = 10;

    public static readonly IReadOnlyList<string> ClassNames =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The records of all <paramref name="paths"/>, concatenated in order (e.g. data_batch_1..5).</summary>
    public static Dataset Read(string name, params string[] paths)
    {
        if (paths.Length == 0) throw new ArgumentException("no CIFAR batch files given");
        var files = new byte[paths.Length][];
        long total = 0;
        for (int f = 0; f < paths.Length; f++)
        {
            files[f] = DataFile.ReadAllBytes(paths[f]);
            total += Validate(files[f], paths[f]);
        }
        if (total * ImageBytes > Array.MaxLength)
            throw new MixQException($"{paths[0]}: {total} CIFAR records are too many to hold in memory");

        var pixels = new float[total * ImageBytes];
        var labels = new int[total];
        int offset = 0;
        foreach (var bytes in files)
        {
            int count = bytes.Length / RecordBytes;
            int start = offset;
            Parallel.For(0, count, r =>
            {
                var record = bytes.AsSpan(r * RecordBytes, RecordBytes);
                labels[start + r] = record[0];
                TensorPrimitives.ConvertChecked<byte, float>(record[1..], pixels.AsSpan((start + r) * ImageBytes, ImageBytes));
            });
            offset += count;
        }
        return new Dataset(name, pixels, labels, [Channels, Height, Width], NumClasses, DatasetKind.Image, classNames: ClassNames);
    }

    /// <summary>Checks the record structure and labels of one file; returns its record count.</summary>
    private static int Validate(byte[] bytes, string path)
    {
        if (bytes.Length == 0) throw new MixQException($"{path}: contains no CIFAR records");
        int count = bytes.Length / RecordBytes;
        int leftover = bytes.Length % RecordBytes;
        if (leftover != 0)
            throw new MixQException(
                $"{path}: {bytes.Length} bytes is not a whole number of {RecordBytes}-byte CIFAR records ({count} records and {leftover} bytes left over)");
        for (int r = 0; r < count; r++)
        {
            byte label = bytes[(long)r * RecordBytes];
            if (label >= NumClasses)
                throw new MixQException($"{path}: record {r} has label {label}, outside 0..{NumClasses - 1}");
        }
        return count;
    }
}
