using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using MixQ.Quantization.Scaling;
using MixQ.Tensors;
using static MixQ.Quantization.Tests.Plans.PlanTestModels;

namespace MixQ.Quantization.Tests.Assignment;

public class ErrorAssignmentTests
{
    /// <summary>Rows alternating Laplacian-like and uniform-like, each with its own scale.</summary>
    internal static Tensor MixedRows(int rows, int length, int seed)
    {
        var rng = new Random(seed);
        var data = new float[rows * length];
        for (int r = 0; r < rows; r++)
        {
            double scale = 0.05 + rng.NextDouble();
            for (int i = 0; i < length; i++)
            {
                double u = rng.NextDouble() - 0.5;
                data[r * length + i] = (float)(scale * (r % 2 == 0
                    ? -Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u)) // Laplace(0, 1) by inverse CDF
                    : 2 * u));
            }
        }
        return Tensor.FromArray(data, rows, length);
    }

    [Fact]
    public void FormatErrorsAreRowQuantizerErrors()
    {
        var w = MixedRows(9, 37, 1);
        NumberFormat[] formats = [Sp2x4, Fixed4, Fixed8];
        var errors = FormatErrors.Compute(w, formats);
        var output = new float[37];
        for (int r = 0; r < 9; r++)
            for (int f = 0; f < 3; f++)
                Assert.Equal(RowQuantizer.Quantize(w.Span.Slice(r * 37, 37), formats[f], output).SquaredError, errors[r * 3 + f]);
    }

    [Fact]
    public void AssignmentHasTheLeastTotalErrorOfAllAssignmentsWithTheCounts()
    {
        var w = MixedRows(8, 64, 2);
        var mix = MixSpec.Parse("sp2-4:50,fixed-4:25,fixed-8:25");
        var formats = RowAssigner.Assign(w, mix, AssignmentRule.Error);
        var errors = FormatErrors.Compute(w, mix.Formats);
        double achieved = formats.Select((f, r) => errors[r * 3 + mix.Formats.ToList().IndexOf(f)]).Sum();
        // Brute force: every way to put 4, 2, 2 of the 8 rows into the three formats.
        double best = double.PositiveInfinity;
        for (int code = 0; code < 6561; code++)
        {
            int c = code;
            var pick = new int[8];
            for (int r = 0; r < 8; r++, c /= 3) pick[r] = c % 3;
            if (pick.Count(p => p == 0) != 4 || pick.Count(p => p == 1) != 2) continue;
            best = Math.Min(best, pick.Select((p, r) => errors[r * 3 + p]).Sum());
        }
        Assert.Equal(best, achieved, 12);
        Assert.Equal([4, 2, 2], mix.Formats.Select(f => formats.Count(x => x == f)));
    }

    [Fact]
    public void RowsOnOneSchemesGridGoToThatScheme()
    {
        // Rows built from SP2 levels that fixed point lacks (1/8, 1/4, 5/8) quantize exactly with SP2; rows of k/7
        // quantize exactly with fixed point. The error rule must find that split whatever the row scales.
        float[] sp2Levels = [0, 0.125f, 0.25f, 0.5f, 0.625f, 0.75f, 1];
        var rng = new Random(3);
        int rows = 12, length = 64;
        var data = new float[rows * length];
        for (int r = 0; r < rows; r++)
        {
            float scale = (float)(0.1 + rng.NextDouble());
            for (int i = 0; i < length; i++)
            {
                float level = r % 4 == 0 ? sp2Levels[i % 7] : (i % 8) / 7f;
                data[r * length + i] = scale * level * (i % 2 == 0 ? 1 : -1);
            }
        }
        var w = Tensor.FromArray(data, rows, length);
        var formats = RowAssigner.Assign(w, MixSpec.Parse("sp2-4:25,fixed-4:75"), AssignmentRule.Error);
        for (int r = 0; r < rows; r++) Assert.Equal(r % 4 == 0 ? Sp2x4 : Fixed4, formats[r]);
        var errors = FormatErrors.Compute(w, [Sp2x4, Fixed4]);
        for (int r = 0; r < rows; r++) Assert.True(errors[r * 2 + (r % 4 == 0 ? 0 : 1)] < 1e-9, $"row {r} should sit on its grid");
    }

    [Fact]
    public void InAMultiPrecisionMixTheWideShareGoesToTheRowsItHelpsMost()
    {
        var w = MixedRows(20, 128, 4);
        var mix = MixSpec.Parse(MixPresets.Ilmpq); // 19 fixed-4, 1 fixed-8
        var formats = RowAssigner.Assign(w, mix, AssignmentRule.Error);
        var errors = FormatErrors.Compute(w, mix.Formats);
        int widest = Enumerable.Range(0, 20).OrderByDescending(r => errors[r * 2] - errors[r * 2 + 1]).First();
        Assert.Equal(Fixed8, formats[widest]);
        Assert.Single(formats, f => f == Fixed8);
    }
}
