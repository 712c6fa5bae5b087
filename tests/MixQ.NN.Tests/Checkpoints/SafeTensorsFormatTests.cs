using System.Text;
using MixQ.NN.Checkpoints;
using MixQ.NN.Tests.IO;
using MixQ.Tensors;

namespace MixQ.NN.Tests.Checkpoints;

/// <summary>Checks the bytes against the published format, spelled out by hand.</summary>
public class SafeTensorsFormatTests
{
    // 132 bytes of JSON + 4 spaces of padding = 136 = 0x88, a multiple of 8.
    private const string Header =
        "{\"__metadata__\":{\"k\":\"v\"}," +
        "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
        "\"b\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[8,11]}}" +
        "    ";

    private static byte[] ExpectedFile()
    {
        var bytes = new List<byte>();
        bytes.AddRange([0x88, 0, 0, 0, 0, 0, 0, 0]);  // header length 136, u64 little-endian
        bytes.AddRange(Encoding.ASCII.GetBytes(Header));
        bytes.AddRange([0x00, 0x00, 0x80, 0x3F]);     // 1.0f   = 0x3F800000
        bytes.AddRange([0x00, 0x00, 0x20, 0xC0]);     // -2.5f  = 0xC0200000
        bytes.AddRange([0x01, 0xFE, 0x03]);           // sbyte 1, -2, 3
        return bytes.ToArray();
    }

    [Fact]
    public void HandBuiltHeaderIsPaddedToAMultipleOfEight()
    {
        Assert.Equal(136, Header.Length);
    }

    [Fact]
    public void WriterProducesExactlyTheHandBuiltBytes()
    {
        using var folder = new TempFolder();
        string path = folder.File("tiny.safetensors");
        SafeTensors.Write(path,
            new Dictionary<string, Tensor> { ["a"] = Tensor.FromArray([1f, -2.5f]) },
            new Dictionary<string, object> { ["b"] = new NDArray<sbyte>([3], [1, -2, 3]) },
            new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal(ExpectedFile(), File.ReadAllBytes(path));
    }

    [Fact]
    public void ReaderUnderstandsTheHandBuiltBytes()
    {
        using var folder = new TempFolder();
        string path = folder.File("tiny.safetensors");
        File.WriteAllBytes(path, ExpectedFile());
        var file = SafeTensors.Read(path);
        Assert.Equal([1f, -2.5f], file.Tensor("a").ToArray());
        Assert.Equal([2], file.Tensor("a").ShapeArray());
        Assert.Equal(new sbyte[] { 1, -2, 3 }, file.Array<sbyte>("b").Data);
        Assert.Equal("v", file.Metadata["k"]);
    }

    [Fact]
    public void FilesWithoutMetadataOmitTheMetadataEntry()
    {
        using var folder = new TempFolder();
        string path = folder.File("plain.safetensors");
        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["x"] = Tensor.Scalar(2f) });
        // {"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}} is 53 bytes, padded to 56.
        string expectedHeader = "{\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}   ";
        byte[] expected = [56, 0, 0, 0, 0, 0, 0, 0, .. Encoding.ASCII.GetBytes(expectedHeader), 0x00, 0x00, 0x00, 0x40];
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Empty(SafeTensors.Read(path).Metadata);
    }
}
