using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests.Integer;

public class ShiftCodeTests
{
    [Theory]
    [InlineData(QuantScheme.PowerOfTwo)]
    [InlineData(QuantScheme.SP2)]
    public void ShiftAndAddEqualsMultiplyingByTheLevelsMultiplicand(QuantScheme scheme)
    {
        var rng = new Random(7);
        for (int bits = NumberFormat.MinBits; bits <= NumberFormat.MaxBits; bits++)
        {
            var format = new NumberFormat(scheme, bits);
            for (int word = 0; word < 1 << bits; word++)
            {
                int exponent = WeightCodec.Exponent(format, (byte)word);
                if (exponent > IntegerWeights.MaxFrame) continue;
                int frame = Math.Max(0, exponent) + rng.Next(0, 3);
                var code = ShiftCode.From(format, frame, (byte)word);
                long v = WeightCodec.Value(format, frame, (byte)word);
                foreach (long x in new long[] { 0, 1, -1, 255, -127, rng.Next(-100000, 100000) })
                    Assert.Equal(x * v, code.Apply(x));
            }
        }
    }

    [Fact]
    public void AnExponentBeyondTheFrameIsRejected()
    {
        // sp2-4 word 0b0110: e1 = 3 (1/8), so frame 2 cannot hold it.
        Assert.Throws<MixQException>(() => ShiftCode.From(NumberFormat.Sp2(4), 2, 0b0110));
    }
}
