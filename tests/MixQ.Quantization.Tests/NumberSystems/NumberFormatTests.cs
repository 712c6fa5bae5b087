using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests;

public class NumberFormatTests
{
    [Theory]
    [InlineData("fixed-4", QuantScheme.Fixed, 4)]
    [InlineData("pot-4", QuantScheme.PowerOfTwo, 4)]
    [InlineData("sp2-4", QuantScheme.SP2, 4)]
    [InlineData("fixed-8", QuantScheme.Fixed, 8)]
    [InlineData(" SP2-2 ", QuantScheme.SP2, 2)]
    public void ParsesAndPrints(string text, QuantScheme scheme, int bits)
    {
        var f = NumberFormat.Parse(text);
        Assert.Equal(new NumberFormat(scheme, bits), f);
        Assert.Equal(text.Trim().ToLowerInvariant(), f.ToString());
        Assert.Equal(f, NumberFormat.Parse(f.ToString()));
    }

    [Theory]
    [InlineData("float-4", "unknown scheme 'float'")]
    [InlineData("fixed-9", "bits must be between 2 and 8, got 9")]
    [InlineData("pot-1", "bits must be between 2 and 8, got 1")]
    [InlineData("sp2-x", "bits 'x' is not a whole number")]
    [InlineData("fixed", "expected <scheme>-<bits>")]
    [InlineData("fixed--4", "unknown scheme 'fixed-'")]
    public void RejectsBadTextWithAClearMessage(string text, string expected)
    {
        var e = Assert.Throws<MixQException>(() => NumberFormat.Parse(text, "--formats"));
        Assert.Contains(expected, e.Message);
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains("--formats", e.Message);
    }

    [Fact]
    public void ConstructorRejectsBitsOutsideTwoToEight()
    {
        Assert.Contains("fixed-9", Assert.Throws<MixQException>(() => NumberFormat.Fixed(9)).Message);
        Assert.Throws<MixQException>(() => NumberFormat.Sp2(1));
    }

    [Theory]
    [InlineData(2, 1, 0)]
    [InlineData(3, 1, 1)]
    [InlineData(4, 2, 1)]
    [InlineData(5, 2, 2)]
    [InlineData(6, 3, 2)]
    [InlineData(7, 3, 3)]
    [InlineData(8, 4, 3)]
    public void Sp2SplitGivesTheSpareBitToTheFirstTerm(int bits, int m1, int m2)
    {
        var split = NumberFormat.Sp2(bits).Sp2Split;
        Assert.Equal(new Sp2Split(m1, m2), split);
        Assert.Equal(bits, 1 + split.FirstBits + split.SecondBits);
        Assert.True(split.FirstBits >= split.SecondBits);
    }

    [Fact]
    public void OnlySp2HasASplit() =>
        Assert.Throws<InvalidOperationException>(() => NumberFormat.Fixed(4).Sp2Split);
}
