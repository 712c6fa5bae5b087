using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests;

public class LevelSetTests
{
    private static float[] Signed(params double[] magnitudes) =>
        magnitudes.SelectMany(m => m == 0 ? new[] { 0.0 } : new[] { m, -m }).Select(v => (float)v).Order().ToArray();

    [Fact]
    public void Sp2FourBitsIsTheThirteenLevelsOfMethodsMd()
    {
        var set = NumberFormat.Sp2(4).Levels;
        Assert.Equal(13, set.Count);
        Assert.Equal(Signed(0, 1 / 8.0, 1 / 4.0, 1 / 2.0, 5 / 8.0, 3 / 4.0, 1), set.Values.ToArray());
    }

    [Fact]
    public void FixedFourBitsIsFifteenSevenths()
    {
        var set = NumberFormat.Fixed(4).Levels;
        Assert.Equal(15, set.Count);
        Assert.Equal(Enumerable.Range(-7, 15).Select(k => (float)(k / 7.0)).ToArray(), set.Values.ToArray());
    }

    [Fact]
    public void PowerOfTwoFourBitsReachesOneSixtyFourth()
    {
        var set = NumberFormat.PowerOfTwo(4).Levels;
        Assert.Equal(15, set.Count);
        Assert.Equal(Signed(0, 1, 1 / 2.0, 1 / 4.0, 1 / 8.0, 1 / 16.0, 1 / 32.0, 1 / 64.0), set.Values.ToArray());
    }

    [Fact]
    public void Sp2EightBitsHas187LevelsAndAGapBetweenThreeQuartersAndOne()
    {
        var set = NumberFormat.Sp2(8).Levels;
        Assert.Equal(187, set.Count);
        Assert.DoesNotContain(set.Values.ToArray(), v => v > 0.75f && v < 1f);
        Assert.Equal([0.75f, 1f], set.Magnitudes[^2..].ToArray());
        Assert.Equal(MathF.ScaleB(1f, -15), set.Magnitudes[1]);  // smallest: q1 = 2^-15, q2 = 0
    }

    // Hand-counted: fixed and PoT have 2^m - 1 levels; SP2 counts distinct q1 + q2 sums (see LevelEnumeration).
    [Theory]
    [InlineData(QuantScheme.Fixed, new[] { 3, 7, 15, 31, 63, 127, 255 })]
    [InlineData(QuantScheme.PowerOfTwo, new[] { 3, 7, 15, 31, 63, 127, 255 })]
    [InlineData(QuantScheme.SP2, new[] { 3, 5, 13, 15, 47, 59, 187 })]
    public void LevelCountsForEveryBitWidth(QuantScheme scheme, int[] counts)
    {
        for (int bits = 2; bits <= 8; bits++)
            Assert.Equal(counts[bits - 2], new NumberFormat(scheme, bits).Levels.Count);
    }

    [Fact]
    public void EveryLevelSetMatchesTheDefinitionBuiltIndependently()
    {
        foreach (var f in PropertyCheck.AllFormats)
        {
            var expected = NaiveQuantizer.Magnitudes(f).Select(m => (float)m).ToArray();
            Assert.Equal(expected, f.Levels.Magnitudes.ToArray());
            Assert.Equal(2 * expected.Length - 1, f.Levels.Count);
            Assert.Equal(f.Scheme == QuantScheme.SP2 && f.Bits == 2 ? 0.5f : 1f, f.Levels.MaxMagnitude);
        }
    }

    [Fact]
    public void PowerOfTwoEightBitsBottomsOutAtTheSmallestNormalFloat()
    {
        var set = NumberFormat.PowerOfTwo(8).Levels;
        Assert.Equal(MathF.ScaleB(1f, -126), set.Magnitudes[1]);
    }

    [Fact]
    public void EveryCodeDecodesToItsLevel()
    {
        foreach (var f in PropertyCheck.AllFormats)
        {
            var set = f.Levels;
            Assert.Equal(set.Count, set.Codes.Count);
            for (int i = 0; i < set.Count; i++) Assert.Equal(set.Values[i], (float)set.Codes[i].Decode());
        }
    }

    [Fact]
    public void CodesCarryTheHardwareFields()
    {
        var fixed4 = NumberFormat.Fixed(4).Levels;
        Assert.Equal(new FixedCode(-3, 7), fixed4.NearestCode(-3 / 7f));

        var pot4 = NumberFormat.PowerOfTwo(4).Levels;
        Assert.Equal(new PowerOfTwoCode(true, false, 3), pot4.NearestCode(-0.125f));
        Assert.Equal(new PowerOfTwoCode(false, true, 0), pot4.NearestCode(0.001f));

        // 4-bit SP2: q1 ∈ {0, 1/2, 1/4, 1/8}, q2 ∈ {0, 1/2}. One representation is kept per value:
        // fewest non-zero terms, then q1 before q2, then the larger q1.
        var sp2 = NumberFormat.Sp2(4).Levels;
        Assert.Equal(new Sp2Code(false, false, 1, true, 0), sp2.NearestCode(0.5f));    // 1/2 + 0, not 0 + 1/2
        Assert.Equal(new Sp2Code(false, false, 1, false, 1), sp2.NearestCode(1f));     // 1/2 + 1/2
        Assert.Equal(new Sp2Code(true, false, 2, false, 1), sp2.NearestCode(-0.75f));  // -(1/4 + 1/2)
        Assert.Equal(new Sp2Code(false, false, 3, false, 1), sp2.NearestCode(0.625f)); // 1/8 + 1/2
        Assert.Equal(new Sp2Code(false, true, 0, true, 0), sp2.NearestCode(-0.01f));
    }

    [Fact]
    public void LevelSetsAreSharedPerFormat() =>
        Assert.Same(NumberFormat.Sp2(8).Levels, LevelSet.For(NumberFormat.Parse("sp2-8")));
}
