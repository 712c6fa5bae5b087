using System.Text;
using Xunit.Sdk;

namespace MixQ.Tensors.Tests;

/// <summary>
/// Checks a differentiable op against an independent double-precision reference.
///
/// <para>Usage (any op, including the NN-level fused ones):</para>
/// <code>
/// var rng = new Random(7);
/// var x = GradCheck.Input(rng, 2, 3);                 // leaf with RequiresGrad, N(0, 1) values
/// var w = GradCheck.Input(rng, 3);
/// var ids = Tensor.FromArray([0f, 2f], 2);            // RequiresGrad = false: a constant, passed to both sides
/// GradCheck.Run(
///     t => Ops.Mul(t[0], t[1]),                        // the float op under test (may build views, composites...)
///     d => Reference.Broadcast(d[0], [2, 3], d[1], [3], (p, q) => p * q),   // flat row-major double[] per input
///     x, w);
/// </code>
///
/// <para>Tolerances and the weighting seed are adjustable: <c>GradCheck.Run(op, reference,
/// new GradCheck.Options { GradRelTol = 2e-3 }, x, w)</c>. <see cref="Reference"/> (Ops/Reference.cs) has naive
/// double helpers to build references from: Broadcast, Map, Permute, ReduceAxis/SumAxis, MatMul, Transpose,
/// Slice, Concat, Unravel/Ravel. Test files live in namespace MixQ.Tensors.Tests (a namespace
/// MixQ.Tensors.Tests.Ops would shadow the Ops class).</para>
///
/// <para>What it asserts:</para>
/// <list type="number">
/// <item>Forward: every output element matches the reference within ForwardAbsTol + ForwardRelTol * |ref|.</item>
/// <item>Backward: with a fixed random weighting R (seeded), the autograd gradient of L = sum(output * R)
/// (obtained as output.Backward(seed: R)) for every input with RequiresGrad matches the central finite
/// difference (L(x + h e_i) - L(x - h e_i)) / 2h of the DOUBLE reference, h = Step * max(1, |x_i|), within
/// GradAbsTol + GradRelTol * |numeric|. Because the differences are taken in double precision, the only
/// float32 error is the op's own, so ~1e-3 tolerances are meaningful.</item>
/// <item>Inputs without RequiresGrad receive no gradient.</item>
/// </list>
/// <para>Write the reference independently (naive loops over doubles, no shared kernels) and keep inputs small
/// (the check evaluates the reference 2 * inputs-size times) and away from kinks (relu at 0, max ties, clamp
/// bounds) by at least ~1e-4.</para>
/// </summary>
public static class GradCheck
{
    public sealed record Options
    {
        public double ForwardRelTol { get; init; } = 1e-4;
        public double ForwardAbsTol { get; init; } = 1e-5;
        public double GradRelTol { get; init; } = 1e-3;
        public double GradAbsTol { get; init; } = 1e-3;
        public double Step { get; init; } = 1e-6;
        /// <summary>Seed for the weighting tensor R.</summary>
        public int Seed { get; init; } = 1234;
    }

    /// <summary>A leaf input with N(0, 1) values that requires a gradient.</summary>
    public static Tensor Input(Random rng, params int[] shape)
    {
        var t = Tensor.RandN(rng, 1f, shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>A leaf input with values uniform in [low, high] (e.g. positive for log / sqrt).</summary>
    public static Tensor Uniform(Random rng, float low, float high, params int[] shape)
    {
        var t = Tensor.RandUniform(rng, low, high, shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>A leaf input whose values are at least <paramref name="margin"/> away from 0 (random signs).</summary>
    public static Tensor AwayFromZero(Random rng, float margin, params int[] shape)
    {
        var t = Tensor.RandN(rng, 1f, shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = MathF.CopySign(margin + MathF.Abs(s[i]), s[i]);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Runs both checks with default tolerances; returns the op's output for further assertions.</summary>
    public static Tensor Run(Func<Tensor[], Tensor> op, Func<double[][], double[]> reference, params Tensor[] inputs) =>
        Run(op, reference, new Options(), inputs);

    public static Tensor Run(Func<Tensor[], Tensor> op, Func<double[][], double[]> reference, Options options,
        params Tensor[] inputs)
    {
        foreach (var t in inputs) t.Grad = null;
        var point = inputs.Select(ToDoubles).ToArray();

        var output = op(inputs);
        var actual = output.ToArray();
        var expected = reference(Copy(point));
        if (expected.Length != actual.Length)
            throw new XunitException($"reference gives {expected.Length} values, op gives {actual.Length} ({output})");
        CheckForward(actual, expected, options);

        if (!inputs.Any(t => t.RequiresGrad)) return output;
        if (!output.RequiresGrad) throw new XunitException("output does not require grad: the op recorded nothing");

        var weights = Weights(actual.Length, options.Seed);
        var seed = Tensor.FromArray(weights.Select(w => (float)w).ToArray(), output.ShapeArray());
        output.Backward(seed);

        var failures = new StringBuilder();
        int failed = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].RequiresGrad)
            {
                if (inputs[i].Grad is not null) throw new XunitException($"constant input {i} received a gradient");
                continue;
            }
            var analytic = inputs[i].Grad?.ToArray() ?? new float[inputs[i].Size];
            if (analytic.Length != inputs[i].Size)
                throw new XunitException($"gradient of input {i} has {analytic.Length} values, input has {inputs[i].Size}");
            for (int j = 0; j < analytic.Length; j++)
            {
                double numeric = NumericDerivative(reference, point, i, j, weights, options.Step);
                double tolerance = options.GradAbsTol + options.GradRelTol * Math.Abs(numeric);
                if (!(Math.Abs(analytic[j] - numeric) <= tolerance))
                {
                    if (failed++ < 12)
                        failures.AppendLine($"  input {i} element {j}: autograd {analytic[j]:G9}, finite difference {numeric:G9}");
                }
            }
        }
        if (failed > 0)
            throw new XunitException($"{failed} gradient element(s) differ from finite differences:\n{failures}");
        return output;
    }

    private static void CheckForward(float[] actual, double[] expected, Options options)
    {
        var failures = new StringBuilder();
        int failed = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double tolerance = options.ForwardAbsTol + options.ForwardRelTol * Math.Abs(expected[i]);
            bool same = Math.Abs(actual[i] - expected[i]) <= tolerance || (double.IsNaN(expected[i]) && float.IsNaN(actual[i]))
                || (double.IsInfinity(expected[i]) && actual[i] == expected[i]);
            if (!same && failed++ < 12) failures.AppendLine($"  element {i}: op {actual[i]:G9}, reference {expected[i]:G9}");
        }
        if (failed > 0) throw new XunitException($"{failed} forward element(s) differ from the reference:\n{failures}");
    }

    /// <summary>d/dx_ij of sum(reference(x) * R) by central differences in double precision.</summary>
    private static double NumericDerivative(Func<double[][], double[]> reference, double[][] point, int input, int element,
        double[] weights, double step)
    {
        double h = step * Math.Max(1.0, Math.Abs(point[input][element]));
        var shifted = Copy(point);
        shifted[input][element] = point[input][element] + h;
        double plus = Dot(reference(shifted), weights);
        shifted = Copy(point);
        shifted[input][element] = point[input][element] - h;
        double minus = Dot(reference(shifted), weights);
        return (plus - minus) / (2 * h);
    }

    private static double[] Weights(int n, int seed)
    {
        var rng = new Random(seed);
        var w = new double[n];
        // Uniform in [-1, -0.25] U [0.25, 1]: every output contributes, with mixed signs.
        for (int i = 0; i < n; i++) w[i] = (0.25 + 0.75 * rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1);
        return w;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double[] ToDoubles(Tensor t) => t.ToArray().Select(v => (double)v).ToArray();

    private static double[][] Copy(double[][] x) => x.Select(a => (double[])a.Clone()).ToArray();
}
