using MixQ.Hardware.Cost;
using MixQ.Hardware.Devices;

namespace MixQ.Hardware.Tests.Cost;

public sealed class DspPackingTests
{
    [Theory]
    [InlineData(8, 8)]
    [InlineData(8, 4)]
    [InlineData(6, 6)]
    public void TwoProductsSharingAnActivationComeOutExactly(int m, int a)
    {
        Assert.True(DspPacking.Fits(2, m, a, DspKind.DSP48E1));
        // Fixed-point weights are symmetric: |w| <= 2^(m-1) - 1.
        int wMax = (1 << (m - 1)) - 1, wMin = -wMax, xMax = (1 << a) - 1;
        int s = DspPacking.LaneBits(m, a);
        for (int w1 = wMin; w1 <= wMax; w1++)
            for (int w2 = wMin; w2 <= wMax; w2++)
            {
                // The packed word fits S + m signed bits (the width the weight memory and the calibration block use).
                long packed = ((long)w1 << s) + w2;
                Assert.InRange(packed, -(1L << (s + m - 1)), (1L << (s + m - 1)) - 1);
                for (int x = 0; x <= xMax; x += m == 8 && a == 8 ? 3 : 1)
                {
                    var (high, low) = DspPacking.Extract2(w1, w2, x, m, a);
                    if (high != (long)w1 * x || low != (long)w2 * x) Assert.Fail($"w1={w1} w2={w2} x={x}: got {high},{low}");
                }
            }
    }

    [Fact]
    public void FourProductsOfA2x2OuterProductComeOutExactly()
    {
        const int m = 4, a = 4;
        Assert.True(DspPacking.Fits(4, m, a, DspKind.DSP48E1));
        int s = DspPacking.LaneBits(m, a);
        for (int x1 = 0; x1 < 16; x1++)
            for (int x2 = 0; x2 < 16; x2++)
                for (int w1 = -7; w1 < 8; w1++)
                    for (int w2 = -7; w2 < 8; w2++)
                    {
                        long aPort = x1 + ((long)x2 << (2 * s));
                        long bPort = w1 + ((long)w2 << s);
                        Assert.True(aPort < 1L << 24, "x operand exceeds the 25-bit A port");
                        Assert.InRange(bPort, -(1L << (s + m - 1)), (1L << (s + m - 1)) - 1); // S + m bits, within B's 18
                        var lanes = DspPacking.Extract4(x1, x2, w1, w2, m, a);
                        Assert.Equal(new long[] { x1 * w1, x1 * w2, x2 * w1, x2 * w2 }, lanes);
                    }
    }

    [Theory]
    [InlineData(4, 4, DspKind.DSP48E1, 4)]
    [InlineData(3, 2, DspKind.DSP48E1, 4)]
    [InlineData(8, 4, DspKind.DSP48E1, 2)]
    [InlineData(8, 8, DspKind.DSP48E1, 2)]
    [InlineData(5, 4, DspKind.DSP48E1, 2)]
    [InlineData(8, 8, DspKind.DSP48E2, 2)]
    [InlineData(4, 8, DspKind.DSP48E2, 2)]
    public void ProductsPerDspFollowThePortWidths(int m, int a, DspKind kind, int expected) =>
        Assert.Equal(expected, DspPacking.ProductsPerDsp(m, a, kind));

    [Fact]
    public void SixteenBitProductsDoNotPack() => Assert.Equal(1, DspPacking.ProductsPerDsp(16, 16, DspKind.DSP48E1));
}
