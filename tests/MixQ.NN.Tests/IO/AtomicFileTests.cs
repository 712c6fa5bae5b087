using System.Text;
using MixQ.NN.IO;

namespace MixQ.NN.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void WritesAndReplacesFiles()
    {
        using var folder = new TempFolder();
        string path = folder.File("out.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        AtomicFile.Write(path, s => s.Write([9]));
        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void WriterFailingMidwayLeavesTheOldFileIntactAndNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        File.WriteAllBytes(path, [42, 43]);

        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]); // enough to reach the disk, not just a buffer
            s.Flush();
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("boom", e.Message);
        Assert.Equal([42, 43], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void WriteAllTextUsesUtf8WithoutByteOrderMark()
    {
        using var folder = new TempFolder();
        string path = folder.File("notes.json");
        AtomicFile.WriteAllText(path, "{\"µ\": 1}");
        Assert.Equal(Encoding.UTF8.GetBytes("{\"µ\": 1}"), File.ReadAllBytes(path));
    }

    [Fact]
    public void MissingFolderIsAUserErrorNamingTheFile()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "no-such-folder", "x.bin");
        var e = Assert.Throws<MixQException>(() => AtomicFile.WriteAllText(path, "x"));
        Assert.Contains(path, e.Message);
    }
}
