using MixQ.Codegen.Verilog;

namespace MixQ.Codegen.Tests.Verilog;

/// <summary>Widths of hardware integers, against a counting loop.</summary>
public sealed class IntTypeTests
{
    [Theory]
    [InlineData(0L)] [InlineData(1L)] [InlineData(2L)] [InlineData(3L)] [InlineData(255L)] [InlineData(256L)]
    [InlineData(123_456_789L)] [InlineData(long.MaxValue)]
    public void BitLengthIsTheSmallestWidthThatHoldsTheMagnitude(long magnitude)
    {
        int bits = 0;
        while (bits < 63 && magnitude >> bits != 0) bits++;
        Assert.Equal(bits, IntType.BitLength(magnitude));
    }

    [Theory]
    [InlineData(0L, 0L, 1, false)] [InlineData(0L, 255L, 8, false)] [InlineData(0L, 256L, 9, false)]
    [InlineData(-1L, 0L, 1, true)] [InlineData(-128L, 127L, 8, true)] [InlineData(-129L, 127L, 9, true)] [InlineData(-3L, 200L, 9, true)]
    public void ForRangeIsTheNarrowestTypeHoldingBothEnds(long min, long max, int bits, bool signed)
    {
        var type = IntType.ForRange(min, max);
        Assert.Equal(new IntType(bits, signed), type);
        // The range of the type holds both ends, one bit less does not.
        long lo = signed ? -(1L << (bits - 1)) : 0, hi = signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
        Assert.InRange(min, lo, hi);
        Assert.InRange(max, lo, hi);
        if (bits > 1)
        {
            long lo1 = signed ? -(1L << (bits - 2)) : 0, hi1 = signed ? (1L << (bits - 2)) - 1 : (1L << (bits - 1)) - 1;
            Assert.False(min >= lo1 && max <= hi1);
        }
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(28)] [InlineData(32)] [InlineData(33)] [InlineData(784)] [InlineData(1024)]
    public void ACounterHasBitsForEveryStateAndNoMore(int count)
    {
        int bits = IntType.CounterBits(count);
        Assert.True(bits >= 1);
        Assert.True(1L << bits >= count);                    // count - 1 fits
        if (bits > 1) Assert.True(1L << (bits - 1) < count); // one bit less does not
        Assert.Equal(bits, IntType.UnsignedBits(count - 1));
    }

    [Fact]
    public void AnUnsignedFieldForNothingOrLessStillHasOneBit()
    {
        Assert.Equal(1, IntType.UnsignedBits(0));
        Assert.Equal(1, IntType.UnsignedBits(-5));
        Assert.Equal(1, IntType.UnsignedBits(1));
        Assert.Equal(2, IntType.UnsignedBits(2));
        Assert.Equal(31, IntType.UnsignedBits(int.MaxValue));
    }
}
