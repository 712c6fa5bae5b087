using System.Runtime.Intrinsics.X86;
using MixQ.Quantization.Integer;

namespace MixQ.Quantization.Tests.Integer;

public class Int8DotTests
{
    private static (byte[] A, sbyte[] W, long[] Expected) Case(Random rng, int aRows, int wRows, int length, int stride)
    {
        var a = new byte[Math.Max(1, aRows * stride)];
        var w = new sbyte[Math.Max(1, wRows * stride)];
        rng.NextBytes(a);
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)rng.Next(-128, 128);
        var expected = new long[aRows * wRows];
        for (int i = 0; i < aRows; i++)
            for (int o = 0; o < wRows; o++)
            {
                long sum = 0;
                for (int k = 0; k < length; k++) sum += (long)a[i * stride + k] * w[o * stride + k];
                expected[i * wRows + o] = sum;
            }
        return (a, w, expected);
    }

    public delegate void GemmPath(ReadOnlySpan<byte> a, int aRows, int aStride, ReadOnlySpan<sbyte> w, int wRows, int wStride, int length, Span<int> c, int cStride);

    private static void Check(GemmPath path)
    {
        var rng = new Random(1);
        foreach (int length in new[] { 0, 1, 3, 15, 16, 17, 31, 32, 33, 63, 65, 100, 401 })
            foreach (int aRows in new[] { 1, 2, 5 })
                foreach (int wRows in new[] { 1, 3, 4, 7, 9 })
                {
                    int stride = length + rng.Next(0, 3);
                    var (a, w, expected) = Case(rng, aRows, wRows, length, stride);
                    var c = new int[aRows * wRows];
                    path(a, aRows, stride, w, wRows, stride, length, c, wRows);
                    Assert.Equal(expected, c.Select(v => (long)v).ToArray());
                }
    }

    [Fact]
    public void ScalarTwinMatchesTheNaiveSum() => Check(Int8Dot.GemmScalar);

    [Fact]
    public void VnniPathMatchesTheNaiveSumOnOddSizes()
    {
        if (!AvxVnni.IsSupported) return; // the machine decides; Avx2 and scalar are always checked
        Check(Int8Dot.GemmVnni);
    }

    [Fact]
    public void Avx2PathMatchesTheNaiveSumOnOddSizes()
    {
        if (!Avx2.IsSupported) return;
        Check(Int8Dot.GemmAvx2);
    }

    [Fact]
    public void DispatchMatchesTheScalarTwin() => Check(Int8Dot.Gemm);
}
