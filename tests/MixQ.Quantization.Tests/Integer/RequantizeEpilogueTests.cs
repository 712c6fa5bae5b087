using MixQ.Quantization.Integer;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>The fused requantization (AVX-512, 64-bit lanes; vpermb transpose) against <see cref="Requantizer.Apply"/> per element.</summary>
public class RequantizeEpilogueTests
{
    private static readonly (long Min, long Max, int ZeroPoint)[] Ranges = [(0, 15, 0), (-7, 7, 128), (-127, 127, 128), (0, 255, 0)];

    private static IntRequantize RandomRequantize(Random rng, int channels, long min, long max, int maxShift)
    {
        int[] shifts = [0, 1, 2, 31, 61, 62];
        var m = Enumerable.Range(0, channels).Select(c => c % 7 == 3 ? 0 : c % 5 == 1 ? 1 << 30 : rng.Next(1 << 30, int.MaxValue)).ToArray();
        var s = Enumerable.Range(0, channels).Select(c => c < shifts.Length ? Math.Min(shifts[c], maxShift) : rng.Next(0, maxShift + 1)).ToArray();
        var o = Enumerable.Range(0, channels).Select(c => c % 4 == 2 ? (1L << 61) - 1 : c % 4 == 3 ? -(1L << 61) + 1 : rng.NextInt64(-(1L << 40), 1L << 40)).ToArray();
        return new IntRequantize("rq", m, s, o, min, max);
    }

    private static int RandomAccumulator(Random rng) => rng.Next(6) switch
    {
        0 => int.MaxValue,
        1 => int.MinValue,
        2 => rng.Next(-3, 4),
        _ => rng.Next(int.MinValue, int.MaxValue),
    };

    private static long Expected(IntRequantize r, int[] c, int[] addend, int row, int ldc, int j)
    {
        int ch = r.Channels == 1 ? 0 : j;
        return Requantizer.Apply(unchecked(c[row * ldc + j] + addend[j]), r.Multipliers[ch], r.Shifts[ch], r.Offsets[ch], r.Min, r.Max);
    }

    [Theory]
    [InlineData(62)]
    [InlineData(94)] // shifts beyond 62: the scalar twin must take over
    public void BytesLongsAndTransposedTilesMatchTheScalarRequantizer(int maxShift)
    {
        var rng = new Random(maxShift);
        int scalarOnly = 0;
        foreach (int columns in new[] { 1, 3, 7, 8, 9, 16, 17 })
            foreach (bool perChannel in new[] { true, false })
                foreach (var (min, max, zp) in Ranges)
                {
                    var r = RandomRequantize(rng, perChannel ? columns : 1, min, max, maxShift);
                    int ldc = Int8Gemm.PaddedColumns(columns) + rng.Next(0, 2) * 8;
                    var addend = Enumerable.Range(0, Int8Gemm.PaddedColumns(columns)).Select(_ => rng.Next(-100000, 100000)).ToArray();
                    var epilogue = new RequantizeEpilogue(r, columns, addend);
                    Assert.Equal(r.Shifts.All(s => s <= 62), epilogue.Vectorized); // offsets here stay below 2^61
                    if (!epilogue.Vectorized) scalarOnly++;
                    int rows = rng.Next(0, 21);
                    var c = Enumerable.Range(0, Math.Max(1, rows) * ldc).Select(_ => RandomAccumulator(rng)).ToArray();
                    foreach (bool vector in new[] { true, false })
                    {
                        for (int row = 0; row < rows; row++)
                        {
                            var bytes = new byte[columns * 3];
                            epilogue.ToBytes(c.AsSpan(row * ldc), bytes, 3, zp, vector);
                            var longs = new long[columns];
                            epilogue.ToLongs(c.AsSpan(row * ldc), longs, 1, vector);
                            for (int j = 0; j < columns; j++)
                            {
                                long q = Expected(r, c, addend, row, ldc, j);
                                Assert.Equal(q, longs[j]);
                                Assert.Equal((byte)(q + zp), bytes[j * 3]);
                            }
                        }
                        int stride = rows + rng.Next(0, 3);
                        var tiles = new byte[Math.Max(1, columns * stride)];
                        epilogue.ToBytesTransposed(c, ldc, rows, tiles, stride, zp, vector);
                        for (int j = 0; j < columns; j++)
                            for (int p = 0; p < rows; p++)
                                Assert.True((byte)(Expected(r, c, addend, p, ldc, j) + zp) == tiles[j * stride + p], $"{columns} columns, pixel {p}, channel {j}, vector {vector}");
                    }
                }
        Assert.Equal(maxShift > 62, scalarOnly > 0);
    }

    [Fact]
    public void TiesRoundAwayFromZeroInBothDirections()
    {
        // m = 2^30, s = 31: the code is round(acc / 2), so every odd accumulator is a tie.
        var r = new IntRequantize("rq", [1 << 30], [31], [0], -127, 127);
        var addend = new int[8];
        var epilogue = new RequantizeEpilogue(r, 8, addend);
        int[] c = [1, -1, 3, -3, 5, -5, 253, -253];
        var longs = new long[8];
        epilogue.ToLongs(c, longs, 1);
        Assert.Equal([1, -1, 2, -2, 3, -3, 127, -127], longs);
    }
}
