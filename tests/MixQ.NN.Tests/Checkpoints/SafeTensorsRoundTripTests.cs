using MixQ.NN.Checkpoints;
using MixQ.NN.Tests.IO;
using MixQ.Tensors;

namespace MixQ.NN.Tests.Checkpoints;

public class SafeTensorsRoundTripTests
{
    [Fact]
    public void EveryDTypeSurvivesARoundTrip()
    {
        using var folder = new TempFolder();
        string path = folder.File("all.safetensors");
        var weights = Tensor.FromArray([1.5f, -0f, float.NaN, float.PositiveInfinity, float.Epsilon, -3.25e30f], 2, 3);
        var tensors = new Dictionary<string, Tensor>
        {
            ["weights"] = weights,
            ["scalar"] = Tensor.Scalar(7f),
            ["empty"] = Tensor.Zeros(0, 3),
        };
        var arrays = new Dictionary<string, object>
        {
            ["f64"] = new NDArray<double>([3], [Math.PI, double.MinValue, -0.0]),
            ["i64"] = new NDArray<long>([2, 2], [long.MinValue, long.MaxValue, -1, 1L << 40]),
            ["i32"] = new NDArray<int>([3], [int.MinValue, int.MaxValue, -7]),
            ["i16"] = new NDArray<short>([1, 3], [short.MinValue, short.MaxValue, -2]),
            ["i8"] = new NDArray<sbyte>([5], [sbyte.MinValue, sbyte.MaxValue, -1, 0, 1]),
            ["u8"] = new NDArray<byte>([2, 1, 2], [0, 255, 128, 7]),
        };
        var metadata = new Dictionary<string, string> { ["note"] = "quotes \" and \\ and ünïcödé", ["empty"] = "" };

        SafeTensors.Write(path, tensors, arrays, metadata);
        var file = SafeTensors.Read(path);

        Assert.Equal(path, file.Path);
        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(["empty", "scalar", "weights"], file.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2, 3], file.Tensor("weights").ShapeArray());
        Assert.Equal(Bits(weights.ToArray()), Bits(file.Tensor("weights").ToArray()));
        Assert.Equal(Array.Empty<int>(), file.Tensor("scalar").ShapeArray());
        Assert.Equal(7f, file.Tensor("scalar").Item());
        Assert.Equal([0, 3], file.Tensor("empty").ShapeArray());

        AssertSame((NDArray<double>)arrays["f64"], file.Array<double>("f64"));
        AssertSame((NDArray<long>)arrays["i64"], file.Array<long>("i64"));
        AssertSame((NDArray<int>)arrays["i32"], file.Array<int>("i32"));
        AssertSame((NDArray<short>)arrays["i16"], file.Array<short>("i16"));
        AssertSame((NDArray<sbyte>)arrays["i8"], file.Array<sbyte>("i8"));
        AssertSame((NDArray<byte>)arrays["u8"], file.Array<byte>("u8"));
        Assert.True(BitConverter.DoubleToInt64Bits(file.Array<double>("f64").Data[2]) < 0, "−0.0 keeps its sign");
    }

    [Fact]
    public void StridedTensorsAreWrittenInLogicalOrder()
    {
        using var folder = new TempFolder();
        string path = folder.File("t.safetensors");
        var matrix = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["t"] = matrix.Transpose() });
        var read = SafeTensors.Read(path).Tensor("t");
        Assert.Equal([3, 2], read.ShapeArray());
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], read.ToArray());
    }

    [Fact]
    public void EveryTensorStartsAlignedToItsElementSize()
    {
        using var folder = new TempFolder();
        string path = folder.File("a.safetensors");
        SafeTensors.Write(path,
            new Dictionary<string, Tensor> { ["f"] = Tensor.Zeros(3) },
            new Dictionary<string, object> { ["b"] = new NDArray<byte>([5]), ["l"] = new NDArray<long>([1]), ["s"] = new NDArray<short>([3]) },
            null);
        var bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        string header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        using var json = System.Text.Json.JsonDocument.Parse(header);
        foreach (var entry in json.RootElement.EnumerateObject())
        {
            long begin = entry.Value.GetProperty("data_offsets")[0].GetInt64();
            int size = entry.Value.GetProperty("dtype").GetString() switch { "I64" => 8, "F32" => 4, "I16" => 2, _ => 1 };
            Assert.Equal(0, begin % size);
        }
    }

    [Fact]
    public void TypedAccessorsNameTheFileWhenAnEntryIsMissingOrOfAnotherType()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.safetensors");
        SafeTensors.Write(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(1) },
            new Dictionary<string, object> { ["ids"] = new NDArray<int>([1]) }, null);
        var file = SafeTensors.Read(path);
        Assert.Contains(path, Assert.Throws<MixQException>(() => file.Tensor("nope")).Message);
        Assert.Contains("I32", Assert.Throws<MixQException>(() => file.Array<long>("ids")).Message);
        Assert.Contains("F32", Assert.Throws<MixQException>(() => file.Array<int>("w")).Message);
    }

    [Fact]
    public void InvalidInputsAreRejectedBeforeWriting()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.safetensors");
        var t = new Dictionary<string, Tensor> { ["a"] = Tensor.Zeros(1) };
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, t, new Dictionary<string, object> { ["a"] = new NDArray<int>([1]) }, null));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, t, new Dictionary<string, object> { ["b"] = new float[3] }, null));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros(1) }));
        Assert.False(File.Exists(path));
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static void AssertSame<T>(NDArray<T> expected, NDArray<T> actual) where T : unmanaged
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Data, actual.Data);
    }
}
