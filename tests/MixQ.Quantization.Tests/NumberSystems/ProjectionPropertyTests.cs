using FsCheck.Fluent;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests;

public class ProjectionPropertyTests
{
    [Fact]
    public void ProjectionIsTheNearestLevelOfABruteForceScan() =>
        PropertyCheck.Run(PropertyCheck.FormatAndInput, c =>
            (double)c.Format.Levels.Nearest(c.X) == (double)(float)NaiveQuantizer.Nearest(c.Format, c.X), maxTest: 1000);

    [Fact]
    public void NearestIndexAgreesWithNearest() =>
        PropertyCheck.Run(PropertyCheck.FormatAndInput, c =>
            c.Format.Levels.Values[c.Format.Levels.NearestIndex(c.X)] == c.Format.Levels.Nearest(c.X));

    [Fact]
    public void QuantizingTwiceEqualsQuantizingOnce()
    {
        var gen = PropertyCheck.FormatAndInput.SelectMany(c =>
            Gen.Choose(1, 4000).Select(s => (c.Format, c.X, Scale: s / 1000f)));
        PropertyCheck.Run(gen, c =>
        {
            var set = c.Format.Levels;
            Span<float> once = [c.X * c.Scale];
            set.Project(once, c.Scale, once);
            Span<float> twice = [once[0]];
            set.Project(twice, c.Scale, twice);
            return once[0] == twice[0] && set.Nearest(set.Nearest(c.X)) == set.Nearest(c.X);
        });
    }

    [Fact]
    public void ProjectionIsOdd() =>
        PropertyCheck.Run(PropertyCheck.FormatAndInput, c =>
            c.Format.Levels.Nearest(-c.X) == -c.Format.Levels.Nearest(c.X));

    [Fact]
    public void ProjectionIsMonotone()
    {
        var gen = PropertyCheck.Formats.SelectMany(f =>
            Gen.Two(PropertyCheck.InputsFor(f)).Select(p => (f, Lo: MathF.Min(p.Item1, p.Item2), Hi: MathF.Max(p.Item1, p.Item2))));
        PropertyCheck.Run(gen, c => c.f.Levels.Nearest(c.Lo) <= c.f.Levels.Nearest(c.Hi), maxTest: 1000);
    }

    [Fact]
    public void CodeOfTheNearestLevelDecodesBackToIt() =>
        PropertyCheck.Run(PropertyCheck.FormatAndInput, c =>
            (float)c.Format.Levels.NearestCode(c.X).Decode() == c.Format.Levels.Nearest(c.X));

    [Fact]
    public void InputsBeyondTheRangeClipToTheLargestLevel()
    {
        foreach (var f in PropertyCheck.AllFormats)
        {
            var set = f.Levels;
            Assert.Equal(set.MaxMagnitude, set.Nearest(1e30f));
            Assert.Equal(-set.MaxMagnitude, set.Nearest(-1e30f));
            Assert.Equal(set.MaxMagnitude, set.Nearest(float.PositiveInfinity));
        }
    }

    [Fact]
    public void TiesGoToTheLargerMagnitude()
    {
        // Exact midpoints: fixed-3 levels k/3 (tie at t K = k + 1/2 exactly), PoT and SP2 dyadic midpoints.
        Assert.Equal(2 / 3f, NumberFormat.Fixed(3).Levels.Nearest(0.5f));         // t * 3 = 1.5
        Assert.Equal(-2 / 3f, NumberFormat.Fixed(3).Levels.Nearest(-0.5f));
        Assert.Equal(1f, NumberFormat.PowerOfTwo(4).Levels.Nearest(0.75f));
        Assert.Equal(0.5f, NumberFormat.PowerOfTwo(4).Levels.Nearest(MathF.BitDecrement(0.75f)));
        Assert.Equal(1 / 64f, NumberFormat.PowerOfTwo(4).Levels.Nearest(1 / 128f)); // between 0 and the smallest level
        Assert.Equal(0.875f, 0.75f + 0.125f);
        Assert.Equal(1f, NumberFormat.Sp2(4).Levels.Nearest(0.875f));
        Assert.Equal(-0.625f, NumberFormat.Sp2(4).Levels.Nearest(-0.5625f));
        Assert.Equal(-0.5f, NumberFormat.Sp2(4).Levels.Nearest(MathF.BitIncrement(-0.5625f)));
    }
}
