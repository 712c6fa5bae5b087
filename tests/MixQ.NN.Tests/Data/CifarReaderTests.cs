using MixQ.NN.Data;

namespace MixQ.NN.Tests.Data;

public class CifarReaderTests
{
    /// <summary>A record whose red plane holds 1 + pixel % 7, green 100 + pixel % 5, blue 200 + record.</summary>
    private static byte[] Record(byte label, int record)
    {
        var bytes = new byte[3073];
        bytes[0] = label;
        for (int p = 0; p < 1024; p++)
        {
            bytes[1 + p] = (byte)(1 + p % 7);
            bytes[1 + 1024 + p] = (byte)(100 + p % 5);
            bytes[1 + 2048 + p] = (byte)(200 + record);
        }
        return bytes;
    }

    private static byte[] TwoRecords => [.. Record(7, 0), .. Record(3, 1)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ParsesHandMadeRecords(bool gzip)
    {
        using var dir = new TempDir();
        string path = dir.Write("two.bin", TwoRecords, gzip);

        var data = CifarReader.Read("two", path);

        Assert.Equal(2, data.Count);
        Assert.Equal([3, 32, 32], data.SampleShape);
        Assert.Equal([7, 3], data.Labels);
        Assert.Equal("horse", data.ClassNames![7]);
        // [c, y, x] of sample 1: red (0, 5, 9) is pixel 5*32+9 = 169 -> 1 + 169 % 7 = 2; green (1, 31, 31) is
        // pixel 1023 -> 100 + 1023 % 5 = 103; blue anywhere is 201.
        var sample = data.Sample(1);
        Assert.Equal(2f, sample[0 * 1024 + 5 * 32 + 9]);
        Assert.Equal(103f, sample[1 * 1024 + 31 * 32 + 31]);
        Assert.Equal(201f, sample[2 * 1024 + 17]);
        Assert.Equal(200f, data.Sample(0)[2 * 1024]);
    }

    [Fact]
    public void ConcatenatesBatchFilesInOrder()
    {
        using var dir = new TempDir();
        string a = dir.Write("a.bin", Record(1, 0));
        string b = dir.Write("b.bin.gz", TwoRecords, gzip: true);
        var data = CifarReader.Read("joined", a, b);
        Assert.Equal([1, 7, 3], data.Labels);
        Assert.Equal(201f, data.Sample(2)[2048]);
    }

    [Fact]
    public void PartialRecord()
    {
        using var dir = new TempDir();
        string path = dir.Write("partial.bin", TwoRecords[..5000], gzip: true);
        AssertError.Names("partial.bin", () => CifarReader.Read("x", path), "1 records and 1927 bytes left over");
    }

    [Fact]
    public void LabelOutOfRange()
    {
        using var dir = new TempDir();
        string path = dir.Write("badlabel.bin", [.. Record(2, 0), .. Record(12, 1)]);
        AssertError.Names("badlabel.bin", () => CifarReader.Read("x", path), "record 1", "label 12");
    }

    [Fact]
    public void EmptyFile()
    {
        using var dir = new TempDir();
        string path = dir.Write("empty.bin", []);
        AssertError.Names("empty.bin", () => CifarReader.Read("x", path), "no CIFAR records");
    }

    [Fact]
    public void MissingFile() =>
        AssertError.Names("no_such_batch.bin", () => CifarReader.Read("x", Path.Combine(Path.GetTempPath(), "no_such_batch.bin")), "not found");
}
