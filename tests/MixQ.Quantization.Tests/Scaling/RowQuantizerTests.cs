using MixQ.NN.Layers;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Scaling;
using MixQ.Tensors;

namespace MixQ.Quantization.Tests;

public class RowQuantizerTests
{
    private static float[] Gaussian(Random rng, int n, float std = 0.05f)
    {
        var row = new float[n];
        for (int i = 0; i < n; i++) row[i] = std * Tensor.Gaussian(rng);
        return row;
    }

    public static TheoryData<string> FourBitFormats => new() { "fixed-4", "pot-4", "sp2-4", "fixed-2", "pot-3", "sp2-8", "fixed-8" };

    [Theory]
    [MemberData(nameof(FourBitFormats))]
    public void MseScaleBeatsMaxAbsScalingOnGaussianRows(string format)
    {
        var f = NumberFormat.Parse(format);
        var rng = new Random(format.GetHashCode(StringComparison.Ordinal) & 0xffff);
        for (int trial = 0; trial < 5; trial++)
        {
            var row = Gaussian(rng, 300);
            var output = new float[row.Length];
            var (scale, error) = RowQuantizer.Quantize(row, f, output);
            double maxAbsError = RowQuantizer.QuantizeWithScale(row, f, RowQuantizer.MaxAbsScale(row, f), new float[row.Length]);
            Assert.True(scale > 0);
            Assert.True(error < maxAbsError, $"{f}: MSE scale error {error} vs max-abs {maxAbsError}");
        }
    }

    [Theory]
    [InlineData("fixed-4")]
    [InlineData("pot-4")]
    [InlineData("sp2-4")]
    [InlineData("fixed-3")]
    [InlineData("sp2-5")]
    public void MseScaleIsCloseToABruteForceFineGrid(string format)
    {
        var f = NumberFormat.Parse(format);
        var rng = new Random(11);
        for (int trial = 0; trial < 3; trial++)
        {
            var row = Gaussian(rng, 48);
            if (trial == 2) row[0] = 0.4f;  // an outlier: the optimum sits far below max-abs
            var (_, error) = RowQuantizer.Quantize(row, f, new float[row.Length]);
            float max = row.Max(MathF.Abs);
            double gridBest = double.PositiveInfinity;
            for (int g = 1; g <= 2000; g++)
                gridBest = Math.Min(gridBest, NaiveQuantizer.RowError(row, f, max * g / 1600f));
            Assert.True(error <= gridBest * 1.002 + 1e-12, $"{f}: search {error} vs fine grid {gridBest}");
        }
    }

    [Fact]
    public void ReportedErrorIsTheRealErrorOfTheOutput()
    {
        var rng = new Random(3);
        foreach (var f in PropertyCheck.AllFormats)
        {
            var row = Gaussian(rng, 37, 2f);
            var output = new float[row.Length];
            var (scale, error) = RowQuantizer.Quantize(row, f, output);
            double expected = row.Zip(output, (w, q) => ((double)w - q) * ((double)w - q)).Sum();
            Assert.Equal(expected, error, 12);
            Assert.Equal(NaiveQuantizer.RowError(row, f, scale), error, 12);
            // Every output is alpha times a level.
            var levels = f.Levels.Values.ToArray();
            Assert.All(output, v => Assert.Contains(levels, q => scale * q == v));
        }
    }

    [Fact]
    public void RequantizingTheOutputChangesNothing()
    {
        var rng = new Random(4);
        foreach (var f in PropertyCheck.AllFormats)
        {
            var row = Gaussian(rng, 64);
            var once = new float[row.Length];
            RowQuantizer.Quantize(row, f, once);
            var twice = new float[row.Length];
            var (_, error) = RowQuantizer.Quantize(once, f, twice);
            double energy = once.Sum(v => (double)v * v);
            Assert.True(error <= 1e-10 * energy, $"{f}: {error}");
            for (int i = 0; i < row.Length; i++) Assert.Equal(once[i], twice[i], 3e-7f);
        }
    }

    [Fact]
    public void ZeroAndEmptyRowsGetScaleOne()
    {
        var output = new float[] { 9, 9, 9 };
        Assert.Equal((1f, 0.0), RowQuantizer.Quantize(new float[3], NumberFormat.Sp2(4), output));
        Assert.Equal(new float[3], output);
        Assert.Equal((1f, 0.0), RowQuantizer.Quantize([], NumberFormat.Fixed(4), []));
    }

    [Fact]
    public void NonFiniteWeightsAreRejected() =>
        Assert.Throws<ArgumentException>(() => RowQuantizer.Quantize([1f, float.NaN, float.PositiveInfinity], NumberFormat.Fixed(4), new float[3]));

    [Fact]
    public void LinearRowsAreOutputNeurons()
    {
        var linear = new Linear(20, 6, new Random(1));
        var formats = new[] { "fixed-4", "sp2-4", "pot-4", "fixed-8", "sp2-4", "fixed-2" }.Select(s => NumberFormat.Parse(s)).ToArray();
        var result = RowQuantizer.QuantizeRows(linear.Weight, formats);
        Assert.Equal(linear.Weight.ShapeArray(), result.Quantized.ShapeArray());
        AssertRowsIndependentlyQuantized(linear.Weight, formats, result);
    }

    [Fact]
    public void Conv2dRowsAreOutputChannelsFlattened()
    {
        var conv = new Conv2d(3, 5, 3, new Random(2));
        var result = RowQuantizer.QuantizeRows(conv.Weight, NumberFormat.Sp2(4));
        Assert.Equal(5, result.Rows);
        Assert.Equal([5, 3, 3, 3], result.Quantized.ShapeArray());
        AssertRowsIndependentlyQuantized(conv.Weight, Enumerable.Repeat(NumberFormat.Sp2(4), 5).ToArray(), result);
        Assert.Equal(result.SquaredErrors.Sum(), result.TotalSquaredError);
    }

    [Fact]
    public void ManyRowsInParallelMatchOneByOne()
    {
        var w = Tensor.RandN(new Random(9), 0.1f, 300, 70);
        var result = RowQuantizer.QuantizeRows(w, NumberFormat.Fixed(4));
        AssertRowsIndependentlyQuantized(w, Enumerable.Repeat(NumberFormat.Fixed(4), 300).ToArray(), result);
    }

    [Fact]
    public void RowFormatCountMustMatchTheRows() =>
        Assert.Throws<ArgumentException>(() => RowQuantizer.QuantizeRows(Tensor.Zeros(4, 3), [NumberFormat.Fixed(4)]));

    private static void AssertRowsIndependentlyQuantized(Tensor weight, NumberFormat[] formats, RowQuantization result)
    {
        int rows = weight.Dim(0), length = weight.Size / rows;
        var w = weight.ToArray();
        var q = result.Quantized.ToArray();
        for (int r = 0; r < rows; r++)
        {
            var expected = new float[length];
            var (scale, error) = RowQuantizer.Quantize(w.AsSpan(r * length, length), formats[r], expected);
            Assert.Equal(scale, result.Scales[r]);
            Assert.Equal(error, result.SquaredErrors[r]);
            Assert.Equal(expected, q.AsSpan(r * length, length).ToArray());
            Assert.Equal(formats[r], result.Formats[r]);
        }
    }
}
