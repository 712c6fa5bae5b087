namespace MixQ.Tensors.Tests;

/// <summary>Small assertion and input helpers shared by the fused-op tests (the gradient checks use <see cref="GradCheck"/>).</summary>
internal static class Approx
{
    /// <summary>|expected - actual| &lt;= tolerance * (1 + |expected|): relative for large values, absolute near zero.</summary>
    public static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        double error = Math.Abs(expected - actual);
        Assert.True(error <= tolerance * (1 + Math.Abs(expected)),
            $"{what}: expected {expected:G9}, got {actual:G9} (error {error:G3})");
    }

    /// <summary>A leaf input uniform in [-scale, scale] that requires a gradient.</summary>
    public static Tensor Random(Random rng, float scale, params int[] shape) => GradCheck.Uniform(rng, -scale, scale, shape);
}
