using MixQ.Tensors;

namespace MixQ.Tensors.Tests.Fused;

/// <summary>
/// Checks a float op against an independent double-precision reference: the forward values must agree, and
/// the op's analytic gradients must agree with central finite differences of the reference. The scalar being
/// differentiated is L = sum_i w_i y_i with random weights w, so every output element influences the check.
/// Finite differences are taken on the double reference (step 1e-6), so they are accurate to ~1e-9 and the
/// tolerance only has to absorb float rounding in the op under test.
/// </summary>
internal static class ReferenceGradientCheck
{
    public static void Run(Func<Tensor[], Tensor> op, Func<double[][], double[]> reference, Tensor[] inputs,
        int seed = 7, double forwardTolerance = 1e-4, double gradientTolerance = 2e-3)
    {
        var values = inputs.Select(t => t.ToArray().Select(v => (double)v).ToArray()).ToArray();
        foreach (var t in inputs) t.Grad = null;

        var output = op(inputs);
        var expected = reference(values);
        var actual = output.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++) AssertClose(expected[i], actual[i], forwardTolerance, $"output[{i}]");

        var rng = new Random(seed);
        var weights = new double[actual.Length];
        for (int i = 0; i < weights.Length; i++) weights[i] = rng.NextDouble() * 2 - 1;
        output.Backward(Tensor.FromArray(weights.Select(w => (float)w).ToArray(), output.ShapeArray()));

        const double h = 1e-6;
        for (int j = 0; j < inputs.Length; j++)
        {
            if (!inputs[j].RequiresGrad) continue;
            Assert.NotNull(inputs[j].Grad);
            var analytic = inputs[j].Grad!.ToArray();
            for (int e = 0; e < values[j].Length; e++)
            {
                double keep = values[j][e];
                values[j][e] = keep + h;
                double plus = Weighted(reference(values), weights);
                values[j][e] = keep - h;
                double minus = Weighted(reference(values), weights);
                values[j][e] = keep;
                AssertClose((plus - minus) / (2 * h), analytic[e], gradientTolerance, $"d/d input{j}[{e}]");
            }
        }
    }

    public static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        double error = Math.Abs(expected - actual);
        Assert.True(error <= tolerance * (1 + Math.Abs(expected)),
            $"{what}: expected {expected:G9}, got {actual:G9} (error {error:G3})");
    }

    private static double Weighted(double[] y, double[] w)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += y[i] * w[i];
        return s;
    }

    public static Tensor Random(Random rng, float scale, params int[] shape)
    {
        var t = Tensor.RandUniform(rng, -scale, scale, shape);
        t.RequiresGrad = true;
        return t;
    }
}
