using System.Buffers.Binary;
using System.IO.Compression;
using MixQ;

namespace MixQ.NN.Tests.Data;

/// <summary>A temporary folder for synthetic data files, deleted after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("mixq-data-test-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }

    public string WriteText(string name, string text)
    {
        string path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(bytes);
        return memory.ToArray();
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Builds IDX files byte by byte from the format description (big-endian magic and dims, uint8 payload).</summary>
internal static class Idx
{
    public static byte[] File(int magic, int[] dims, byte[] payload)
    {
        var bytes = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        payload.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Images(int count, int rows, int cols, byte[] pixels) => File(2051, [count, rows, cols], pixels);

    public static byte[] Labels(byte[] labels) => File(2049, [labels.Length], labels);
}

internal static class AssertError
{
    /// <summary>The action fails with a one-line MixQException naming <paramref name="fileName"/> and each fragment.</summary>
    public static MixQException Names(string fileName, Action action, params string[] fragments)
    {
        var e = Assert.Throws<MixQException>(action);
        Assert.Contains(fileName, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        foreach (string f in fragments) Assert.Contains(f, e.Message, StringComparison.OrdinalIgnoreCase);
        return e;
    }
}
