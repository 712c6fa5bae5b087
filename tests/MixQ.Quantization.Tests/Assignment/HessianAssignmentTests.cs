using MixQ.NN.Layers;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;
using MixQ.Tensors;
using static MixQ.Quantization.Tests.Plans.PlanTestModels;

namespace MixQ.Quantization.Tests.Assignment;

public class HessianAssignmentTests
{
    private const int Inputs = 4, Classes = 3, Samples = 5;

    /// <summary>A Linear layer, a few samples and labels: loss = mean softmax cross-entropy of x W^T + b.</summary>
    private static (Linear Layer, Tensor X, int[] Labels) TinyProblem()
    {
        var rng = new Random(3);
        var layer = new Linear(Inputs, Classes, rng);
        // Larger weights than the default init, so the softmax is far from uniform and the rows differ.
        var w = layer.Weight.Span;
        for (int i = 0; i < w.Length; i++) w[i] *= 3;
        var x = Tensor.RandN(rng, 1f, Samples, Inputs);
        return (layer, x, [0, 2, 1, 2, 0]);
    }

    /// <summary>
    /// The exact Hessian of the mean softmax cross-entropy with respect to W [K, D], in double:
    /// H[(k,d),(l,e)] = 1/N Σ_n (p_nk δ_kl - p_nk p_nl) x_nd x_ne (the Kronecker form (diag p - p pᵀ) ⊗ x xᵀ).
    /// </summary>
    private static double[,] ExactHessian(Linear layer, Tensor x)
    {
        int m = Classes * Inputs;
        var h = new double[m, m];
        var w = layer.Weight.ToArray();
        var b = layer.Bias!.ToArray();
        var xs = x.ToArray();
        for (int n = 0; n < Samples; n++)
        {
            var z = new double[Classes];
            for (int k = 0; k < Classes; k++)
            {
                z[k] = b[k];
                for (int d = 0; d < Inputs; d++) z[k] += (double)w[k * Inputs + d] * xs[n * Inputs + d];
            }
            double zmax = z.Max();
            var p = z.Select(v => Math.Exp(v - zmax)).ToArray();
            double sum = p.Sum();
            for (int k = 0; k < Classes; k++) p[k] /= sum;
            for (int k = 0; k < Classes; k++)
                for (int l = 0; l < Classes; l++)
                {
                    double s = (k == l ? p[k] : 0) - p[k] * p[l];
                    for (int d = 0; d < Inputs; d++)
                        for (int e = 0; e < Inputs; e++)
                            h[k * Inputs + d, l * Inputs + e] += s * xs[n * Inputs + d] * xs[n * Inputs + e] / Samples;
                }
        }
        return h;
    }

    [Fact]
    public void FiniteDifferenceHessianVectorProductMatchesTheExactHessian()
    {
        var (layer, x, labels) = TinyProblem();
        var h = ExactHessian(layer, x);
        var before = layer.Weight.ToArray();
        var rng = new Random(9);
        int m = Classes * Inputs;
        for (int trial = 0; trial < 3; trial++)
        {
            var v = Enumerable.Range(0, m).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var hv = HutchinsonEstimator.HessianVectorProduct([layer.Weight], [v],
                () => Ops.SoftmaxCrossEntropy(layer.Forward(x), labels), 1e-3)[0];
            double scale = 0;
            for (int i = 0; i < m; i++)
            {
                double exact = 0;
                for (int j = 0; j < m; j++) exact += h[i, j] * v[j];
                scale = Math.Max(scale, Math.Abs(exact));
                Assert.True(Math.Abs(exact - hv[i]) < 3e-4, $"(Hv)[{i}] = {hv[i]}, exact {exact}");
            }
            Assert.True(scale > 0.05, "the test problem should have a non-trivial Hessian");
        }
        Assert.Equal(before, layer.Weight.ToArray()); // restored bit for bit
        Assert.Null(layer.Weight.Grad);
    }

    [Fact]
    public void HutchinsonRowTracesConvergeToTheExactPerRowTraces()
    {
        var (layer, x, labels) = TinyProblem();
        var h = ExactHessian(layer, x);
        int m = Classes * Inputs, probes = 3000;
        var traces = HutchinsonEstimator.RowTraces([layer.Weight], () => Ops.SoftmaxCrossEntropy(layer.Forward(x), labels), probes, 1e-3, seed: 1)[0];
        Assert.Equal(Classes, traces.Length);
        for (int k = 0; k < Classes; k++)
        {
            // Exact trace of the row block, and the exact standard deviation of one probe v_rowᵀ (H v)_row:
            // with A = the row's rows of H (symmetrised), Var(vᵀ A v) = 2 Σ_{i≠j} A_ij^2 for Rademacher v.
            double trace = 0, variance = 0;
            for (int d = 0; d < Inputs; d++) trace += h[k * Inputs + d, k * Inputs + d];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                {
                    if (i == j) continue;
                    bool iIn = i / Inputs == k, jIn = j / Inputs == k;
                    double a = ((iIn ? h[i, j] : 0) + (jIn ? h[j, i] : 0)) / 2;
                    variance += 2 * a * a;
                }
            double tolerance = 5 * Math.Sqrt(variance / probes) + 1e-3;
            Assert.True(Math.Abs(traces[k] - trace) < tolerance, $"row {k}: estimate {traces[k]}, exact {trace}, tolerance {tolerance}");
            Assert.True(trace > 10 * tolerance, "the tolerance should be tight relative to the trace");
        }
    }

    [Fact]
    public void MostSensitiveRowsGetTheWidestFormatAndTheRestFollowTheErrorRule()
    {
        // 4 rows; errors [rows, formats] for sp2-4, fixed-4, fixed-8; row length 10.
        NumberFormat[] formats = [Sp2x4, Fixed4, Fixed8];
        double[] errors =
        [
            1.0, 2.0, 0.01,
            3.0, 1.0, 0.01,
            2.0, 2.5, 0.01,
            0.5, 0.4, 0.01,
        ];
        double[] traces = [1.0, 0.1, 4.0, 2.0];
        // Sensitivity = trace / 10 * min(err sp2-4, err fixed-4): 0.1, 0.01, 0.8, 0.08.
        Assert.Equal([0.1, 0.01, 0.8, 0.08], HessianAssignment.Sensitivities(traces, errors, formats, 10).Select(s => Math.Round(s, 12)));
        var assignment = HessianAssignment.Assign(traces, errors, formats, [2, 1, 1], 10);
        // Row 2 is the most sensitive -> fixed-8. Rows 0, 1, 3 share sp2-4 x2 and fixed-4 x1 by least error:
        // fixed-4 to row 1 (saves 2.0) -> total 1.0 + 1.0 + 0.5.
        Assert.Equal([0, 1, 2, 0], assignment);
    }

    [Fact]
    public void SingleWidthMixesReduceToTheErrorRule()
    {
        double[] errors = [1, 2, 3, 1, 2, 2.5, 0.5, 0.4];
        Assert.Equal(ErrorAssignment.Assign(errors, 4, [2, 2]), HessianAssignment.Assign([5, 1, 3, 2], errors, [Sp2x4, Fixed4], [2, 2], 8));
    }

    [Fact]
    public void PlanBuilderRestoresWeightsGradientsAndModesAndFollowsTheMix()
    {
        var model = MlpOf(4, 6, 40, 40, 3);
        model.Train();
        var rng = new Random(8);
        var x = Tensor.RandN(rng, 1f, 16, 6);
        var labels = Enumerable.Range(0, 16).Select(i => i % 3).ToArray();
        var before = model.NamedParameters().Select(p => p.Tensor.ToArray()).ToArray();
        var marker = Tensor.Ones(3);
        var lastBias = model.NamedParameters().Last().Tensor;
        lastBias.Grad = marker;
        var options = new PlanOptions { Mix = Rmsmp, Rule = AssignmentRule.Hessian, Seed = 2, Hessian = new HessianOptions { Probes = 4 } };
        var plan = PlanBuilder.Build(model, options, CalibrationLoss.CrossEntropy(model, x, labels));

        var after = model.NamedParameters().Select(p => p.Tensor.ToArray()).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
        Assert.Same(marker, lastBias.Grad);
        Assert.All(model.NamedParameters().SkipLast(1), p => Assert.Null(p.Tensor.Grad));
        Assert.True(model.Training);
        Assert.Equal([24, 14, 2], Rmsmp.Formats.Select(plan["2"].CountOf));
        Assert.Equal(plan, PlanBuilder.Build(model, options, CalibrationLoss.CrossEntropy(model, x, labels)));

        var e = Assert.Throws<MixQException>(() => PlanBuilder.Build(model, options));
        Assert.Contains("calibration batch", e.Message);
    }

    [Fact]
    public void HessianRuleGivesTheWideRowsToRowsWithLargeCurvatureTimesError()
    {
        // A Linear layer where the loss sees only the first 3 outputs' rows through the labels: scale those rows'
        // inputs up so their curvature dominates, and check the fixed-8 rows come from them.
        var rng = new Random(6);
        var hidden = new Linear(8, 20, rng);
        var model = new Sequential(hidden, new ReLU(), new Linear(20, 3, rng));
        // Rows 0..3 of the hidden layer feed the head with large weights -> more curvature.
        var head = ((Linear)((Sequential)model).Layers[2]).Weight.Span;
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 20; j++) head[k * 20 + j] *= j < 4 ? 8f : 0.2f;
        var x = Tensor.RandN(rng, 1f, 64, 8);
        var labels = Enumerable.Range(0, 64).Select(i => i % 3).ToArray();
        var plan = PlanBuilder.Build(model, new PlanOptions
        {
            Mix = MixSpec.Parse("fixed-4:80,fixed-8:20"), Rule = AssignmentRule.Hessian, Edges = EdgeLayerPolicy.FollowMix,
            Hessian = new HessianOptions { Probes = 32 },
        }, CalibrationLoss.CrossEntropy(model, x, labels));
        var wide = Enumerable.Range(0, 20).Where(r => plan["0"].RowFormats[r] == Fixed8).ToArray();
        Assert.Equal([0, 1, 2, 3], wide);
    }

    [Fact]
    public void SingleWidthMixNeedsNoCalibrationAndMatchesTheErrorRule()
    {
        var model = ConvNet(hidden: 30);
        var msq = MixSpec.Parse(MixPresets.Msq);
        var hessian = PlanBuilder.Build(model, new PlanOptions { Mix = msq, Rule = AssignmentRule.Hessian, Edges = EdgeLayerPolicy.FollowMix });
        var error = PlanBuilder.Build(model, new PlanOptions { Mix = msq, Rule = AssignmentRule.Error, Edges = EdgeLayerPolicy.FollowMix });
        for (int i = 0; i < error.Layers.Count; i++) Assert.Equal(error.Layers[i].RowFormats, hessian.Layers[i].RowFormats);
    }

    [Fact]
    public void ConvolutionRowsAreOutputChannels()
    {
        // conv [5, 2, 3, 3] on 4x4 inputs -> [N, 5, 2, 2] -> flatten 20 -> linear -> relu -> linear.
        var model = ConvNet(hidden: 20);
        var x = Tensor.RandN(new Random(2), 1f, 8, 2, 4, 4);
        var labels = Enumerable.Range(0, 8).Select(i => i % 3).ToArray();
        var conv = (Conv2d)((Sequential)model).Layers[0];
        var before = conv.Weight.ToArray();
        var plan = PlanBuilder.Build(model, new PlanOptions
        {
            Mix = MixSpec.Parse("fixed-4:60,fixed-8:40"), Rule = AssignmentRule.Hessian, Edges = EdgeLayerPolicy.FollowMix,
            Hessian = new HessianOptions { Probes = 2 },
        }, CalibrationLoss.CrossEntropy(model, x, labels));
        Assert.Equal(5, plan["0"].Rows);
        Assert.Equal(18, plan["0"].RowLength);
        Assert.Equal(2, plan["0"].CountOf(Fixed8));
        Assert.Equal(before, conv.Weight.ToArray());
    }
}
