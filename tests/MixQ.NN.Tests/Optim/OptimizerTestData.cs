using MixQ.Tensors;

namespace MixQ.NN.Tests.Optim;

internal static class OptimizerTestData
{
    /// <summary>A named parameter tensor (as Module.RegisterParameter would leave it).</summary>
    public static Tensor Parameter(string name, params float[] values)
    {
        var t = Tensor.FromArray(values);
        t.Name = name;
        t.RequiresGrad = true;
        return t;
    }

    public static float[] RandomValues(Random rng, int n, float scale = 1f)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = scale * (2 * (float)rng.NextDouble() - 1);
        return v;
    }

    public static double[] ToDouble(float[] v) => v.Select(x => (double)x).ToArray();

    public static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
