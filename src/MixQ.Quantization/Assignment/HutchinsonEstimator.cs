using MixQ.Quantization.Scaling;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Assignment;

/// <summary>
/// Second-order row sensitivities without forming the Hessian (methods.md §3). Hutchinson's estimator:
/// for v with independent ±1 entries E[v vᵀ] = I, so E[v_rowᵀ (H v)_row] = tr(H_row,row) for every row at once.
/// H v comes from the central difference of two gradient evaluations, (g(w + e v) - g(w - e v)) / 2e, which
/// needs only first-order autograd. The weights are perturbed in place and always restored bit for bit.
/// </summary>
public static class HutchinsonEstimator
{
    /// <summary>
    /// Per-row Hessian-trace estimates of each tensor in <paramref name="weights"/> (rows = axis 0), the mean of
    /// v_rowᵀ (H v)_row over <paramref name="probes"/> Rademacher probes drawn jointly over all the weights from
    /// <paramref name="seed"/>. <paramref name="loss"/> evaluates the scalar loss on the calibration batch (it must
    /// be deterministic: put the model in evaluation mode first).
    /// </summary>
    public static double[][] RowTraces(IReadOnlyList<Tensor> weights, Func<Tensor> loss, int probes, double epsilon, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probes, 1);
        var rng = new Random(seed);
        var traces = weights.Select(w => new double[WeightRows.Count(w)]).ToArray();
        var directions = weights.Select(w => new float[w.Size]).ToArray();
        for (int p = 0; p < probes; p++)
        {
            foreach (var v in directions) FillRademacher(v, rng);
            var hv = HessianVectorProduct(weights, directions, loss, epsilon);
            for (int t = 0; t < weights.Count; t++)
            {
                int rows = traces[t].Length, length = WeightRows.Length(weights[t]);
                for (int r = 0; r < rows; r++)
                {
                    double sum = 0;
                    for (int i = r * length; i < (r + 1) * length; i++) sum += directions[t][i] * hv[t][i];
                    traces[t][r] += sum;
                }
            }
        }
        foreach (var t in traces)
            for (int r = 0; r < t.Length; r++) t[r] /= probes;
        return traces;
    }

    /// <summary>
    /// H v for the direction <paramref name="direction"/> (one array per weight, laid out like the weight) by
    /// central differences of the gradient with step <paramref name="epsilon"/>. The weights are restored exactly.
    /// </summary>
    public static double[][] HessianVectorProduct(IReadOnlyList<Tensor> weights, IReadOnlyList<float[]> direction, Func<Tensor> loss, double epsilon)
    {
        if (direction.Count != weights.Count) throw new ArgumentException($"{direction.Count} directions for {weights.Count} weights", nameof(direction));
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "the step must be positive");
        var originals = weights.Select(w => w.Span.ToArray()).ToArray();
        for (int t = 0; t < weights.Count; t++)
        {
            if (direction[t].Length != weights[t].Size)
                throw new ArgumentException($"direction {t} has {direction[t].Length} entries, weight {weights[t].Name} {weights[t].Size}", nameof(direction));
        }
        try
        {
            Perturb(weights, originals, direction, epsilon);
            var plus = Gradients(weights, loss);
            Perturb(weights, originals, direction, -epsilon);
            var minus = Gradients(weights, loss);
            var result = new double[weights.Count][];
            for (int t = 0; t < weights.Count; t++)
            {
                var hv = result[t] = new double[plus[t].Length];
                for (int i = 0; i < hv.Length; i++) hv[i] = ((double)plus[t][i] - minus[t][i]) / (2 * epsilon);
            }
            return result;
        }
        finally
        {
            for (int t = 0; t < weights.Count; t++) originals[t].CopyTo(weights[t].Span);
        }
    }

    /// <summary>The gradient of <paramref name="loss"/> with respect to each weight (zeros where it does not depend on one).</summary>
    public static float[][] Gradients(IReadOnlyList<Tensor> weights, Func<Tensor> loss)
    {
        if (!GradMode.Enabled) throw new InvalidOperationException("Hessian estimation needs gradients, but gradient recording is off (inside GradMode.NoGrad)");
        foreach (var w in weights) w.Grad = null;
        loss().Backward();
        var grads = weights.Select(w => w.Grad is { } g ? g.Contiguous().Span.ToArray() : new float[w.Size]).ToArray();
        foreach (var w in weights) w.Grad = null;
        return grads;
    }

    private static void Perturb(IReadOnlyList<Tensor> weights, float[][] originals, IReadOnlyList<float[]> direction, double step)
    {
        for (int t = 0; t < weights.Count; t++)
        {
            var span = weights[t].Span;
            var w0 = originals[t];
            var v = direction[t];
            for (int i = 0; i < span.Length; i++) span[i] = (float)(w0[i] + step * v[i]);
        }
    }

    /// <summary>Independent ±1 entries, one random bit each.</summary>
    private static void FillRademacher(float[] v, Random rng)
    {
        var bits = new byte[(v.Length + 7) / 8];
        rng.NextBytes(bits);
        for (int i = 0; i < v.Length; i++) v[i] = ((bits[i >> 3] >> (i & 7)) & 1) == 0 ? -1f : 1f;
    }
}
