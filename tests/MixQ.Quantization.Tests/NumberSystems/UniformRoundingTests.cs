using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests;

public class UniformRoundingTests
{
    private static float[] Inputs(Random rng, int n, float range)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (rng.Next(6)) switch
            {
                0 => 0f,
                1 => -1e-9f,
                2 => (rng.Next(-20, 20) + 0.5f) / 7f,  // near ties of 7 steps
                3 => rng.Next(-300, 300) / 8f,          // exact ties for power-of-two steps
                _ => (float)(rng.NextDouble() * 2 - 1) * range,
            };
        }
        return x;
    }

    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Theory]
    [InlineData(7, -7, 7, 1f)]     // fixed-4 weights
    [InlineData(127, -127, 127, 0.37f)]
    [InlineData(15, 0, 15, 2.5f)]  // unsigned 4-bit activations
    [InlineData(1, -1, 1, 1f)]     // ternary
    public void VectorPathsAreBitIdenticalToTheScalarTwin(int steps, int minCode, int maxCode, float scale)
    {
        var rng = new Random(steps * 31 + minCode);
        for (int n = 0; n <= 67; n++)
        {
            var x = Inputs(rng, n, 3 * scale);
            float inv = 1f / scale;
            var scalar = new float[n];
            UniformRounding.ApplyScalar(x, inv, steps, minCode, maxCode, scale, scalar);

            var v512 = new float[n];
            int done = UniformRounding.Apply512(x, inv, steps, minCode, maxCode, scale, v512);
            UniformRounding.ApplyScalar(x.AsSpan(done), inv, steps, minCode, maxCode, scale, v512.AsSpan(done));
            Assert.Equal(Bits(scalar), Bits(v512));

            var v256 = new float[n];
            done = UniformRounding.Apply256(x, inv, steps, minCode, maxCode, scale, v256);
            UniformRounding.ApplyScalar(x.AsSpan(done), inv, steps, minCode, maxCode, scale, v256.AsSpan(done));
            Assert.Equal(Bits(scalar), Bits(v256));

            var dispatched = new float[n];
            UniformRounding.Apply(x, inv, steps, minCode, maxCode, scale, dispatched);
            Assert.Equal(Bits(scalar), Bits(dispatched));
        }
    }

    [Fact]
    public void RoundingIsExactOnTheRealProductNotOnItsFloatRounding()
    {
        // Around every midpoint (j + 1/2) / steps, some floats t have fl(t * steps) = j + 1/2 exactly although the
        // real product is below (must round down) or above (must round up). Compare with the exact double product.
        int tricky = 0;
        foreach (int steps in new[] { 3, 7, 15, 31, 63, 127, 255 })
        {
            for (int j = 0; j < steps; j++)
            {
                float t = (float)((j + 0.5) / steps);
                for (int i = 0; i < 6; i++) t = MathF.BitDecrement(t);
                for (int i = 0; i < 12; i++, t = MathF.BitIncrement(t))
                {
                    double exact = (double)t * steps;
                    float expected = (float)Math.Min(Math.Floor(exact + 0.5), steps);
                    Assert.Equal(expected, UniformRounding.CodeScalar(t, 1f, steps, -steps, steps));
                    Assert.Equal(-expected, UniformRounding.CodeScalar(-t, 1f, steps, -steps, steps));
                    if (t * steps == j + 0.5f && exact != j + 0.5) tricky++;
                }
            }
        }
        Assert.True(tricky > 20, $"only {tricky} inputs where the float product rounds onto the midpoint");
    }

    [Fact]
    public void CodesMatchADoubleReference()
    {
        var rng = new Random(5);
        for (int i = 0; i < 20000; i++)
        {
            float x = (float)(rng.NextDouble() * 4 - 2);
            double y = (double)x * 15;  // exact
            double k = Math.Clamp(Math.Sign(y) * Math.Floor(Math.Abs(y) + 0.5), -15, 15);
            Assert.Equal(k, UniformRounding.CodeScalar(x, 1f, 15, -15, 15));
        }
    }
}
