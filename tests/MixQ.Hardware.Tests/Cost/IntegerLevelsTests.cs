using MixQ.Hardware.Cost;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Hardware.Tests.Cost;

public sealed class IntegerLevelsTests
{
    public static TheoryData<string> Formats() => new() { "fixed-2", "fixed-4", "fixed-8", "sp2-3", "sp2-4", "sp2-5", "sp2-8", "pot-3", "pot-4", "pot-6" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void IntegerMagnitudesOverTheGridDenominatorAreTheLevelSet(string text)
    {
        var format = NumberFormat.Parse(text);
        double denominator = format.Scheme == QuantScheme.Fixed ? (1 << (format.Bits - 1)) - 1 : Math.Pow(2, IntegerLevels.MaxShift(format));
        var expected = format.Levels.Magnitudes.ToArray().Skip(1).Select(v => (double)v).ToArray();
        var actual = IntegerLevels.Magnitudes(format).Select(c => c / denominator).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 6);
    }

    [Fact]
    public void Sp2FourBitMagnitudesAreTheThirteenLevelExample() =>
        Assert.Equal(new long[] { 1, 2, 4, 5, 6, 8 }, IntegerLevels.Magnitudes(NumberFormat.Sp2(4)));
}
