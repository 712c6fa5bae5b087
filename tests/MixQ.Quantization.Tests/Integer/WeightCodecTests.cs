using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests.Integer;

public class WeightCodecTests
{
    public static TheoryData<QuantScheme, int> Formats()
    {
        var data = new TheoryData<QuantScheme, int>();
        foreach (var scheme in Enum.GetValues<QuantScheme>())
            for (int bits = NumberFormat.MinBits; bits <= NumberFormat.MaxBits; bits++) data.Add(scheme, bits);
        return data;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void EveryLevelHasADistinctWordOfMBitsThatDecodesToIt(QuantScheme scheme, int bits)
    {
        var format = new NumberFormat(scheme, bits);
        var set = format.Levels;
        var words = new HashSet<byte>();
        for (int i = 0; i < set.Count; i++)
        {
            byte word = WeightCodec.Encode(format, set.Codes[i]);
            Assert.True(word >> bits == 0, $"{format} level {set.Values[i]} uses more than {bits} bits: 0x{word:x2}");
            Assert.True(words.Add(word), $"{format}: two levels share word 0x{word:x2}");
            Assert.Equal(set.Codes[i].Decode(), WeightCodec.Decode(format, word).Decode());
            Assert.Equal(set.Values[i], (float)WeightCodec.Decode(format, word).Decode());
        }
        // No format has more levels than m-bit words (fixed leaves exactly one word unused: -2^(m-1)).
        Assert.True(set.Count <= 1 << bits);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void TheMultiplicandTimesTheRowStepIsTheLevelExactly(QuantScheme scheme, int bits)
    {
        var format = new NumberFormat(scheme, bits);
        var set = format.Levels;
        int maxK = (1 << (bits - 1)) - 1;
        int frame = Enumerable.Range(0, set.Count).Max(i => WeightCodec.Exponent(format, WeightCodec.Encode(format, set.Codes[i])));
        if (frame > IntegerWeights.MaxFrame) frame = IntegerWeights.MaxFrame;
        for (int i = 0; i < set.Count; i++)
        {
            byte word = WeightCodec.Encode(format, set.Codes[i]);
            if (WeightCodec.Exponent(format, word) > frame) continue; // PoT-8 levels below 2^-24: dropped by the converter
            long v = WeightCodec.Value(format, scheme == QuantScheme.Fixed ? 0 : frame, word);
            double level = scheme == QuantScheme.Fixed ? (double)v / maxK : Math.ScaleB((double)v, -frame);
            Assert.Equal(set.Codes[i].Decode(), level);
        }
    }

    [Fact]
    public void WordsWithBitsAboveTheWidthOrTheUnusedFixedWordAreRejected()
    {
        Assert.Throws<MixQException>(() => WeightCodec.Value(NumberFormat.Sp2(4), 3, 0x10));
        var e = Assert.Throws<MixQException>(() => WeightCodec.Value(NumberFormat.Fixed(4), 0, 0x8));
        Assert.Contains("outside the symmetric range", e.Message);
    }

    [Fact]
    public void Sp2FourBitWordsFollowTheDocumentedLayout()
    {
        // sp2-4: sign | e1 (2 bits) | e2 (1 bit). 5/8 = 1/2 + 1/8 -> e1 = 3, e2 = 1: 0b0111; negative: 0b1111.
        var format = NumberFormat.Sp2(4);
        Assert.Equal(5.0 / 8, WeightCodec.Decode(format, 0b0111).Decode());
        Assert.Equal(-5.0 / 8, WeightCodec.Decode(format, 0b1111).Decode());
        Assert.Equal(5, WeightCodec.Value(format, 3, 0b0111));   // (2^0 + 2^2) at frame 3
        Assert.Equal(-8, WeightCodec.Value(format, 3, 0b1011));  // 1/2 + 1/2 = 1
    }
}
