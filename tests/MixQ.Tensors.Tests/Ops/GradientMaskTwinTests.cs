using MixQ.Tensors.Kernels;

namespace MixQ.Tensors.Tests;

/// <summary>The SIMD mask kernels against their scalar twins on every length 0..67 (512-bit, 256-bit and tail paths).</summary>
public class GradientMaskTwinTests
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 67; n++) data.Add(n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void EqualMaskMatchesScalar(int n)
    {
        var (x, g) = Inputs(n, seed: n);
        var y = (float[])x.Clone();
        for (int i = 0; i < n; i += 3) y[i] = g[i]; // about a third differ
        Same(d => GradientMasks.EqualMask(x, y, d), d => GradientMasks.EqualMaskScalar(x, y, d), n);
        Same(d => GradientMasks.EqualMask(x, 0f, d), d => GradientMasks.EqualMaskScalar(x, 0f, d), n);
        Assert.All(Run(d => GradientMasks.EqualMask(x, y, d), n), v => Assert.True(v is 0f or 1f));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void PassWherePositiveMatchesScalar(int n)
    {
        var (x, g) = Inputs(n, seed: 100 + n);
        Same(d => GradientMasks.PassWherePositive(x, g, d), d => GradientMasks.PassWherePositiveScalar(x, g, d), n);
        InPlace(n, g, d => GradientMasks.PassWherePositive(x, d, d), d => GradientMasks.PassWherePositiveScalar(x, g, d));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void PassWhereInRangeMatchesScalar(int n)
    {
        var (x, g) = Inputs(n, seed: 200 + n);
        Same(d => GradientMasks.PassWhereInRange(x, -0.5f, 0.5f, g, d), d => GradientMasks.PassWhereInRangeScalar(x, -0.5f, 0.5f, g, d), n);
        InPlace(n, g, d => GradientMasks.PassWhereInRange(x, -0.5f, 0.5f, d, d), d => GradientMasks.PassWhereInRangeScalar(x, -0.5f, 0.5f, g, d));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MultiplyBySignMatchesScalar(int n)
    {
        var (x, g) = Inputs(n, seed: 300 + n);
        Same(d => GradientMasks.MultiplyBySign(x, g, d), d => GradientMasks.MultiplyBySignScalar(x, g, d), n);
        InPlace(n, g, d => GradientMasks.MultiplyBySign(x, d, d), d => GradientMasks.MultiplyBySignScalar(x, g, d));
    }

    [Fact]
    public void ScalarTwinsComputeTheDocumentedValues()
    {
        float[] x = [-2f, -0f, 0f, 0.5f, 3f, float.NaN];
        float[] g = [10f, 20f, 30f, 40f, 50f, 60f];
        var d = new float[6];
        GradientMasks.PassWherePositiveScalar(x, g, d);
        Assert.Equal([0f, 0f, 0f, 40f, 50f, 0f], d);
        GradientMasks.PassWhereInRangeScalar(x, -0f, 0.5f, g, d);
        Assert.Equal([0f, 20f, 30f, 40f, 0f, 0f], d);
        GradientMasks.MultiplyBySignScalar(x, g, d);
        Assert.Equal([-10f, 0f, 0f, 40f, 50f, 0f], d);
        GradientMasks.EqualMaskScalar(x, [-2f, 0f, 1f, 0.5f, 3f, float.NaN], d);
        Assert.Equal([1f, 1f, 0f, 1f, 1f, 0f], d);
    }

    [Fact]
    public void MismatchedLengthsThrow() =>
        Assert.Throws<ArgumentException>(() => GradientMasks.PassWherePositive(new float[3], new float[4], new float[3]));

    /// <summary>Random values with exact zeros, signed zeros, NaN and range bounds sprinkled in.</summary>
    private static (float[] X, float[] G) Inputs(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        var g = new float[n];
        float[] specials = [0f, -0f, float.NaN, -0.5f, 0.5f, float.PositiveInfinity];
        for (int i = 0; i < n; i++)
        {
            x[i] = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)] : (float)(rng.NextDouble() * 2 - 1);
            g[i] = (float)(rng.NextDouble() * 4 - 2);
        }
        return (x, g);
    }

    private static float[] Run(Action<float[]> kernel, int n)
    {
        var d = new float[n];
        kernel(d);
        return d;
    }

    private static void Same(Action<float[]> vector, Action<float[]> scalar, int n)
    {
        var v = Run(vector, n);
        var s = Run(scalar, n);
        Assert.Equal(s.Select(BitConverter.SingleToInt32Bits), v.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>The destination aliasing the gradient input gives the same result as separate buffers.</summary>
    private static void InPlace(int n, float[] g, Action<float[]> vectorInPlace, Action<float[]> scalar)
    {
        var d = (float[])g.Clone();
        vectorInPlace(d);
        var s = Run(scalar, n);
        Assert.Equal(s.Select(BitConverter.SingleToInt32Bits), d.Select(BitConverter.SingleToInt32Bits));
    }
}
