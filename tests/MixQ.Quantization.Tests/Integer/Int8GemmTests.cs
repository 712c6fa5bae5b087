using MixQ.Quantization.Integer;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>Every instruction-set path of the int8 GEMM against a naive sum over the unpacked matrices.</summary>
public class Int8GemmTests
{
    public static TheoryData<Int8Isa> Paths => new(Enum.GetValues<Int8Isa>());

    private static long[] Naive(byte[] a, int rows, int lda, sbyte[] w, int columns, int depth, int width)
    {
        var c = new long[rows * width];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
            {
                long sum = 0;
                for (int k = 0; k < depth; k++) sum += (long)a[i * lda + k] * w[j * depth + k];
                c[i * width + j] = sum;
            }
        return c;
    }

    private static void Check(Int8Isa isa, Random rng, int rows, int columns, int depth, Func<Random, byte> activation, Func<Random, sbyte> weight)
    {
        int groups = Int8Gemm.Groups(depth), width = Int8Gemm.PaddedColumns(columns);
        int lda = groups * 4 + 4 * rng.Next(0, 2), ldc = width + rng.Next(0, 3);
        var a = new byte[Math.Max(0, rows * lda)];
        for (int i = 0; i < a.Length; i++) a[i] = activation(rng); // also the padding bytes: they must not count
        var w = new sbyte[columns * depth];
        for (int i = 0; i < w.Length; i++) w[i] = weight(rng);
        var c = Enumerable.Repeat(int.MinValue + 7, Math.Max(0, rows * ldc)).ToArray();
        Int8Gemm.Gemm(isa, a, rows, lda, Int8Gemm.Pack(w, columns, depth), columns, depth, c, ldc);
        var expected = Naive(a, rows, lda, w, columns, depth, width);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < width; j++)
                Assert.True(expected[i * width + j] == c[i * ldc + j], $"{isa} {rows}x{columns}x{depth}: c[{i}, {j}] = {c[i * ldc + j]}, expected {expected[i * width + j]}");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void MatchesTheNaiveSumOnOddSizes(Int8Isa isa)
    {
        if (!Int8Gemm.IsSupported(isa)) return; // this machine lacks the instructions (all are present on the benchmark VM)
        var rng = new Random(11);
        for (int rows = 0; rows <= 9; rows++)
            foreach (int columns in new[] { 1, 2, 7, 8, 9, 15, 16, 17, 25 })
                foreach (int depth in new[] { 0, 1, 3, 4, 5, 25, 31, 33, 150 })
                    Check(isa, rng, rows, columns, depth, r => (byte)r.Next(256), r => (sbyte)r.Next(-128, 128));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ExtremeBytesNeitherSaturateNorLoseTheSign(Int8Isa isa)
    {
        // 255 * 127 + 255 * 127 overflows int16 (where vpmaddubsw saturates) and 255 * -128 is the most negative
        // product; long rows of them drive the int32 sums far beyond 16 bits in both directions.
        if (!Int8Gemm.IsSupported(isa)) return; // this machine lacks the instructions (all are present on the benchmark VM)
        var rng = new Random(12);
        foreach (var (u, s) in new (byte, sbyte)[] { (255, 127), (255, -128), (0, -128), (255, 0), (128, -128), (1, -1) })
            foreach (int depth in new[] { 1, 4, 7, 64, 1001 })
                Check(isa, rng, 5, 9, depth, _ => u, _ => s);
        Check(isa, rng, 6, 11, 4097, r => r.Next(2) == 0 ? (byte)255 : (byte)0, r => r.Next(2) == 0 ? (sbyte)127 : (sbyte)-128);
    }

    [Fact]
    public void PackingZeroFillsBeyondTheMatrix()
    {
        var w = new sbyte[] { 1, 2, 3, 4, 5, -6, -7, -8, -9, -10 }; // 2 x 5
        var packed = Int8Gemm.Pack(w, 2, 5);
        Assert.Equal(8 * 2 * 4, packed.Length);
        Assert.Equal([1, 2, 3, 4, -6, -7, -8, -9], packed[..8]);
        Assert.Equal([5, 0, 0, 0, -10, 0, 0, 0], packed[32..40]);
        Assert.Equal(10, packed.Count(v => v != 0));
    }

    [Fact]
    public void RejectsInconsistentSizes()
    {
        var packed = Int8Gemm.Pack(new sbyte[8], 2, 4);
        Assert.Throws<ArgumentException>(() => Int8Gemm.Gemm(Int8Isa.Scalar, new byte[8], 2, 3, packed, 2, 4, new int[16], 8));
        Assert.Throws<ArgumentException>(() => Int8Gemm.Gemm(Int8Isa.Scalar, new byte[7], 2, 4, packed, 2, 4, new int[16], 8));
        Assert.Throws<ArgumentException>(() => Int8Gemm.Gemm(Int8Isa.Scalar, new byte[8], 2, 4, packed, 2, 4, new int[15], 8));
    }
}
