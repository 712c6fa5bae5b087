using MixQ.Quantization.Integer;

namespace MixQ.Quantization.Tests.Integer;

public class EntranceCodesTests
{
    [Theory]
    [InlineData(8, true, 2.8215f)]
    [InlineData(8, false, 1f)]
    [InlineData(4, false, 0.75f)]
    [InlineData(2, true, 3f)]
    public void VectorBytesEqualTheScalarInputQuantizerOnOddLengths(int bits, bool signed, float clip)
    {
        var q = new InputQuantization(clip, new ActivationCodes(bits, signed));
        int zp = signed ? 128 : 0;
        var rng = new Random(bits * 2 + (signed ? 1 : 0));
        for (int length = 0; length <= 70; length += length < 20 ? 1 : 17)
        {
            // Random values, values next to every rounding boundary (k + 1/2 steps) and beyond the clip.
            var x = Enumerable.Range(0, length).Select(i => (i % 3) switch
            {
                0 => (float)(rng.NextDouble() * 3 * clip - 1.5 * clip),
                1 => MathF.BitIncrement((float)((rng.Next(-(int)q.Codes.MaxCode, (int)q.Codes.MaxCode) + 0.5) * q.Step)) * (rng.Next(2) == 0 ? 1 : -1),
                _ => (float)((rng.Next(-(int)q.Codes.MaxCode, (int)q.Codes.MaxCode) + 0.5) * q.Step),
            }).Append(float.MaxValue).Append(-0f).Append(-4 * clip).Take(length).ToArray();
            var reference = new long[length];
            q.Quantize(x, reference);
            foreach (bool vector in new[] { true, false })
            {
                var bytes = new byte[length];
                EntranceCodes.Quantize(q, x, bytes, zp, vector);
                Assert.Equal(reference.Select(k => (byte)(k + zp)).ToArray(), bytes);
            }
        }
    }
}
