using System.Buffers.Binary;
using System.Text;
using MixQ.NN.Checkpoints;
using MixQ.NN.Tests.IO;
using MixQ.Tensors;

namespace MixQ.NN.Tests.Checkpoints;

/// <summary>Every malformed file must give a one-line MixQException that names the file and the problem.</summary>
public class SafeTensorsCorruptionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] Build(string header, int dataBytes, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    private void AssertRejected(byte[] contents, string expectedProblem)
    {
        string path = _folder.File("bad.safetensors");
        File.WriteAllBytes(path, contents);
        var e = Assert.Throws<MixQException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expectedProblem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void FileShorterThanEightBytes() => AssertRejected([1, 2, 3, 4, 5], "too short");

    [Fact]
    public void HeaderLengthBeyondTheFile() => AssertRejected(Build("{}", 0, declaredLength: 1000), "runs past the end");

    [Fact]
    public void HugeHeaderLength() => AssertRejected(Build("{}", 0, declaredLength: ulong.MaxValue), "runs past the end");

    [Fact]
    public void InvalidJson() => AssertRejected(Build("{\"a\": ", 0), "not valid JSON");

    [Fact]
    public void InvalidUtf8InHeader()
    {
        var bytes = Build("{\"a\":1}", 0);
        bytes[10] = 0xFF; // inside the key string
        AssertRejected(bytes, "not valid UTF-8");
    }

    [Fact]
    public void HeaderIsNotAnObject() => AssertRejected(Build("[1, 2]", 0), "not an object");

    [Fact]
    public void UnknownDType() => AssertRejected(Build("{" + Entry("w", "BF16", "[2]", 0, 4) + "}", 4), "unsupported dtype 'BF16'");

    [Fact]
    public void ShapeDoesNotMatchOffsets() => AssertRejected(Build("{" + Entry("w", "F32", "[3]", 0, 8) + "}", 8), "needs 12 bytes");

    [Fact]
    public void NegativeDimension() => AssertRejected(Build("{" + Entry("w", "F32", "[-1]", 0, 0) + "}", 0), "invalid dimension");

    [Fact]
    public void ReversedOffsets() => AssertRejected(Build("{" + Entry("w", "U8", "[2]", 4, 2) + "}", 4), "end before begin");

    [Fact]
    public void OverlappingOffsets() =>
        AssertRejected(Build("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}", 12), "overlap");

    [Fact]
    public void OffsetsBeyondTheData() => AssertRejected(Build("{" + Entry("w", "F32", "[2]", 0, 8) + "}", 4), "beyond the 4-byte data section");

    [Fact]
    public void GapBetweenTensors() =>
        AssertRejected(Build("{" + Entry("a", "U8", "[2]", 0, 2) + "," + Entry("b", "U8", "[2]", 4, 6) + "}", 6), "belong to no entry");

    [Fact]
    public void TrailingBytesAfterTheLastTensor() => AssertRejected(Build("{" + Entry("w", "U8", "[2]", 0, 2) + "}", 5), "data section is 5 bytes");

    [Fact]
    public void TruncatedFile()
    {
        string good = _folder.File("good.safetensors");
        SafeTensors.Write(good, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(10) });
        var bytes = File.ReadAllBytes(good);
        AssertRejected(bytes[..^3], "truncated");
    }

    [Fact]
    public void DuplicateNames() =>
        AssertRejected(Build("{" + Entry("a", "U8", "[1]", 0, 1) + "," + Entry("a", "U8", "[1]", 1, 2) + "}", 2), "names 'a' twice");

    [Fact]
    public void MetadataValueIsNotAString() => AssertRejected(Build("{\"__metadata__\":{\"epoch\":3}}", 0), "'epoch' is not a string");

    [Fact]
    public void MissingField() => AssertRejected(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "data_offsets");

    [Fact]
    public void UnexpectedField() =>
        AssertRejected(Build("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"extra\":1}}", 1), "'extra'");

    [Fact]
    public void MissingFileIsAUserError()
    {
        string path = _folder.File("absent.safetensors");
        var e = Assert.Throws<MixQException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message);
    }
}
