using MixQ.Quantization.Integer;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>The 64-bit path's sparse rows (mostly pruned HGQ matrices) against a plain scalar sum over every weight.</summary>
public sealed class PreparedMatrixTests
{
    [Theory]
    [InlineData(0.9)]
    [InlineData(0.7)]
    [InlineData(0.1)]
    public void SparseAndDenseRowsGiveTheExactSums(double zeroFraction)
    {
        var rng = new Random((int)(zeroFraction * 100));
        int rows = 13, length = 37, count = 9;
        var values = Enumerable.Range(0, rows * length).Select(_ => rng.NextDouble() < zeroFraction ? 0 : rng.Next(-100_000, 100_000)).ToArray();
        var weights = IntegerWeights.FromMultiplicands(rows, length, Enumerable.Range(0, rows).Select(r => r % 5 - 2).ToArray(), values);
        var bias = Enumerable.Range(0, rows).Select(_ => rng.NextInt64(-1_000_000, 1_000_000)).ToArray();
        var matrix = new PreparedMatrix(weights, bias);
        Assert.Equal(zeroFraction >= 0.5, matrix.SparseStart is not null);
        var x = Enumerable.Range(0, count * length).Select(_ => rng.NextInt64(-(1L << 20), 1L << 20)).ToArray();
        var output = new long[count * rows];
        matrix.RunWide(x, count, output, rows, 1);
        for (int i = 0; i < count; i++)
            for (int o = 0; o < rows; o++)
            {
                long expected = bias[o];
                for (int k = 0; k < length; k++) expected += x[i * length + k] * weights.Value(o, k);
                Assert.Equal(expected, output[i * rows + o]);
            }
    }
}
