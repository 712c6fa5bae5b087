using System.Buffers.Binary;

namespace MixQ.NN.Data;

/// <summary>
/// Reader for the IDX files of MNIST and Fashion-MNIST (raw or gzip). Layout: a big-endian int32 magic whose
/// low byte is the number of dimensions and whose third byte is the element type (0x08 = uint8), then one
/// big-endian int32 per dimension, then the uint8 payload. Images use magic 2051 (0x00000803: n, rows, cols),
/// labels 2049 (0x00000801: n).
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x0803;
    public const int LabelsMagic = 0x0801;

    /// <summary>
    /// Images and labels as an image data set of shape [1, rows, cols] with raw 0..255 values. A null
    /// <paramref name="numClasses"/> takes the largest label + 1.
    /// </summary>
    public static Dataset Read(string imagesPath, string labelsPath, string name, int? numClasses = 10,
        IReadOnlyList<string>? classNames = null)
    {
        var labels = ReadLabels(labelsPath, numClasses ?? 256);
        var (pixels, count, rows, cols) = ReadImages(imagesPath);
        if (count != labels.Length)
            throw new MixQException($"{imagesPath}: holds {count} images but {labelsPath} holds {labels.Length} labels");
        int classes = numClasses ?? (labels.Length == 0 ? 1 : labels.Max() + 1);
        return new Dataset(name, pixels, labels, [1, rows, cols], classes, DatasetKind.Image, classNames: classNames);
    }

    public static (float[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        using var stream = DataFile.OpenRead(path);
        var dims = ReadHeader(stream, path, ImagesMagic, "images", 3);
        int count = dims[0], rows = dims[1], cols = dims[2];
        if (rows == 0 || cols == 0) throw new MixQException($"{path}: image size {rows}x{cols} is empty");
        long size = (long)count * rows * cols;
        if (size > Array.MaxLength)
            throw new MixQException($"{path}: header claims {count} images of {rows}x{cols}, too large to hold in memory");
        var pixels = new float[size];
        ReadPayload(stream, pixels, path, $"{count} images of {rows}x{cols}");
        return (pixels, count, rows, cols);
    }

    public static int[] ReadLabels(string path, int numClasses = 10)
    {
        using var stream = DataFile.OpenRead(path);
        int count = ReadHeader(stream, path, LabelsMagic, "labels", 1)[0];
        var values = new float[count];
        ReadPayload(stream, values, path, $"{count} labels");
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = (int)values[i];
            if (label >= numClasses)
                throw new MixQException($"{path}: label {label} at index {i} is outside 0..{numClasses - 1}");
            labels[i] = label;
        }
        return labels;
    }

    private static int[] ReadHeader(Stream stream, string path, int expectedMagic, string what, int rank)
    {
        Span<byte> word = stackalloc byte[4];
        if (DataFile.ReadFull(stream, word, path) < 4)
            throw new MixQException($"{path}: too short for an IDX header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
        {
            string hint = magic == ImagesMagic ? " (this is an IDX images file)"
                : magic == LabelsMagic ? " (this is an IDX labels file)"
                : (magic & ~0xFF) == 0x0800 ? $" (IDX uint8 with {magic & 0xFF} dimensions)"
                : "";
            throw new MixQException(
                $"{path}: bad magic 0x{magic:X8}{hint}, expected 0x{expectedMagic:X8} (IDX uint8 {what}, {rank} dimension{(rank == 1 ? "" : "s")})");
        }
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            if (DataFile.ReadFull(stream, word, path) < 4)
                throw new MixQException($"{path}: IDX header ends before its {rank} dimensions");
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dims[i] < 0) throw new MixQException($"{path}: negative dimension {dims[i]} in the IDX header");
        }
        return dims;
    }

    private static void ReadPayload(Stream stream, float[] destination, string path, string described)
    {
        long got = PixelConversion.ReadBytesAsFloats(stream, destination, path);
        if (got < destination.Length)
            throw new MixQException(
                $"{path}: payload is truncated: header says {described} = {destination.Length} bytes, file has {got}");
        if (!DataFile.AtEnd(stream, path))
            throw new MixQException(
                $"{path}: payload is longer than the header says ({described} = {destination.Length} bytes)");
    }
}
