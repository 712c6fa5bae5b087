using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests;

public class MidpointProjectionTests
{
    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();

    public static TheoryData<string, float> Cases => new()
    {
        { "pot-2", 1f }, { "pot-4", 0.3f }, { "pot-8", 0.05f },
        { "sp2-2", 1f }, { "sp2-4", 0.7f }, { "sp2-8", 0.02f }, { "sp2-5", 2f },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorPathsAreBitIdenticalToTheScalarTwin(string format, float scale)
    {
        var set = NumberFormat.Parse(format).Levels;
        var mags = set.Magnitudes.ToArray();
        var mids = mags.Zip(mags.Skip(1), (a, b) => (a + b) / 2).ToArray();
        var gaps = mags.Zip(mags.Skip(1), (a, b) => b - a).ToArray();
        var ties = mids.Concat(mags).SelectMany(v => new[] { v, -v, MathF.BitIncrement(v), MathF.BitDecrement(v) }).ToArray();
        var rng = new Random(format.Length * 131 + (int)(scale * 100));
        float inv = 1f / scale;
        for (int n = 0; n <= 67; n++)
        {
            var x = new float[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = rng.Next(3) switch
                {
                    0 => ties[rng.Next(ties.Length)] * scale,
                    1 => (float)(rng.NextDouble() * 2.4 - 1.2) * scale,
                    _ => (float)(rng.NextDouble() - 0.5) * 1e-3f * scale,
                };
            }
            var scalar = new float[n];
            MidpointProjection.ApplyScalar(x, inv, mids, mags, scale, scalar);

            var v512 = new float[n];
            int done = MidpointProjection.Apply512(x, inv, mids, mags, gaps, scale, v512);
            MidpointProjection.ApplyScalar(x.AsSpan(done), inv, mids, mags, scale, v512.AsSpan(done));
            Assert.Equal(Bits(scalar), Bits(v512));

            var v256 = new float[n];
            done = MidpointProjection.Apply256(x, inv, mids, mags, gaps, scale, v256);
            MidpointProjection.ApplyScalar(x.AsSpan(done), inv, mids, mags, scale, v256.AsSpan(done));
            Assert.Equal(Bits(scalar), Bits(v256));

            var viaLevelSet = new float[n];
            set.Project(x, scale, viaLevelSet);
            Assert.Equal(Bits(scalar), Bits(viaLevelSet));
        }
    }
}
