using System.Buffers.Binary;
using System.IO.Compression;

namespace MixQ.NN.Data;

/// <summary>
/// Opening data files the same way everywhere: a missing or unreadable file becomes a one-line
/// <see cref="MixQException"/> naming the path, and gzip is recognised by its magic bytes (1f 8b), not by the
/// extension, because data sets are often renamed or shipped with misleading suffixes.
/// </summary>
internal static class DataFile
{
    private const int BufferSize = 1 << 16;

    public static bool IsGzip(string path)
    {
        using var stream = OpenFile(path);
        return StartsWithGzipMagic(stream);
    }

    /// <summary>A readable stream over the (decompressed) contents of <paramref name="path"/>.</summary>
    public static Stream OpenRead(string path)
    {
        var file = OpenFile(path);
        if (!StartsWithGzipMagic(file)) return file;
        return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
    }

    /// <summary>
    /// Reads until <paramref name="buffer"/> is full or the data ends; returns the count read. Corrupt gzip data
    /// surfaces as a <see cref="MixQException"/> instead of an <see cref="InvalidDataException"/> stack trace.
    /// </summary>
    public static int ReadFull(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, e);
        }
    }

    /// <summary>True when the stream has no data left (used to reject payloads longer than a header says).</summary>
    public static bool AtEnd(Stream stream, string path)
    {
        Span<byte> one = stackalloc byte[1];
        return ReadFull(stream, one, path) == 0;
    }

    /// <summary>The whole (decompressed) file as bytes.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        using var stream = OpenRead(path);
        // The gzip trailer stores the uncompressed size modulo 2^32 (RFC 1952, ISIZE); it is only a capacity
        // hint here, since multi-member files or files over 4 GiB make it wrong.
        long hint = stream is GZipStream ? GzipSizeHint(path) : stream.Length;
        using var memory = new MemoryStream(hint is > 0 and < int.MaxValue ? (int)hint : 0);
        try
        {
            stream.CopyTo(memory, BufferSize);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, e);
        }
        return memory.Length == memory.Capacity ? memory.GetBuffer() : memory.ToArray();
    }

    /// <summary>Text lines of a (possibly gzip-compressed) UTF-8 file.</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(OpenRead(path), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, BufferSize);
        while (true)
        {
            string? line;
            try
            {
                line = reader.ReadLine();
            }
            catch (InvalidDataException e)
            {
                throw Corrupt(path, e);
            }
            if (line is null) yield break;
            yield return line;
        }
    }

    private static FileStream OpenFile(string path)
    {
        if (Directory.Exists(path)) throw new MixQException($"{path}: is a directory, expected a data file");
        if (!File.Exists(path)) throw new MixQException($"{path}: file not found");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MixQException($"{path}: cannot open ({OneLine(e.Message)})", e);
        }
    }

    private static bool StartsWithGzipMagic(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static long GzipSizeHint(string path)
    {
        using var file = OpenFile(path);
        if (file.Length < 18) return 0;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    private static MixQException Corrupt(string path, Exception e) =>
        new($"{path}: corrupt gzip data ({OneLine(e.Message)})", e);

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
