using MixQ.NN.Optim;
using MixQ.Tensors;
using static MixQ.NN.Tests.Optim.OptimizerTestData;

namespace MixQ.NN.Tests.Optim;

public class AdamTests
{
    [Fact]
    public void TwoStepsMatchHandComputedValues()
    {
        var p = Parameter("weight", 1f);
        var adam = new Adam([p], new AdamOptions(0.1f));

        // Step 1: m = 0.05, v = 0.00025; bias-corrected m̂ = 0.5, v̂ = 0.25, so p −= 0.1·0.5/(0.5 + 1e-8).
        p.Grad = Tensor.FromArray([0.5f]);
        adam.Step();
        Assert.Equal(0.900000002, p.Item(), 6);

        // Step 2 with g = −0.25: m = 0.02, v = 0.00031225; m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999,
        // p = 0.9 − 0.1·0.105263/(0.395225 + 1e-8) = 0.873366 (PyTorch 1.13 gives 0.8733664 in float32).
        p.Grad = Tensor.FromArray([-0.25f]);
        adam.Step();
        Assert.Equal(0.8733663, p.Item(), 6);
    }

    [Fact]
    public void BoundedAdamStepsLikeAdamThenClampsEachParameterIntoItsOwnInterval()
    {
        var a = Parameter("a", 1f);
        var b = Parameter("b", 1f);
        var bounded = new BoundedAdam([a, b], new AdamOptions(0.1f), [(0.95f, 2f), (-1f, 2f)]);
        var (ra, rb) = (Parameter("a", 1f), Parameter("b", 1f));
        var plain = new Adam([ra, rb], new AdamOptions(0.1f));
        for (int step = 0; step < 3; step++)
        {
            foreach (var t in new[] { a, b, ra, rb }) t.Grad = Tensor.FromArray([0.5f]);
            bounded.Step();
            plain.Step();
            Assert.Equal(Math.Clamp(ra.Item(), 0.95f, 2f), a.Item()); // a reaches its bound on the first step, then stays
            ra.Span[0] = a.Item();
            Assert.Equal(rb.Item(), b.Item()); // b never reaches its bound: plain Adam
        }
        Assert.Equal(0.95f, a.Item());
        Assert.Throws<ArgumentException>(() => new BoundedAdam([a], new AdamOptions(0.1f), [(1f, 0f)]));
        Assert.Throws<ArgumentException>(() => new BoundedAdam([a, b], new AdamOptions(0.1f), [(0f, 1f)]));
    }

    [Fact]
    public void EpsilonIsAddedOutsideTheSquareRoot()
    {
        // g = ε = 1e-8: √v̂ = 1e-8, so the first step is lr·g/(g + ε) = lr/2. With ε inside the root it would be
        // lr·1e-8/√(1e-16 + 1e-8) ≈ lr·1e-4.
        var p = Parameter("weight", 1f);
        var adam = new Adam([p], new AdamOptions(0.1f) { Epsilon = 1e-8f });
        p.Grad = Tensor.FromArray([1e-8f]);
        adam.Step();
        Assert.Equal(1 - 0.05, p.Item(), 5);
    }

    public static TheoryData<bool, float> Settings => new()
    {
        { false, 0f },
        { false, 0.02f },
        { true, 0.02f },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void SeveralStepsMatchDoublePrecisionReference(bool decoupled, float weightDecay)
    {
        var rng = new Random(11);
        const int n = 37;
        var init = RandomValues(rng, n);
        var p = Parameter("weight", init);
        var options = new AdamOptions(0.01f) { Beta1 = 0.8f, Beta2 = 0.99f, WeightDecay = weightDecay };
        Optimizer adam = decoupled ? new AdamW([p], options) : new Adam([p], options);
        var reference = new AdamReference(0.01, 0.8, 0.99, 1e-8, weightDecay, decoupled);
        var expected = ToDouble(init);

        for (int step = 0; step < 10; step++)
        {
            var g = RandomValues(rng, n);
            p.Grad = Tensor.FromArray(g);
            adam.Step();
            reference.Step(expected, ToDouble(g));
        }
        AssertClose(expected, p.ToArray(), 2e-6);
    }

    [Fact]
    public void AdamWShrinksParametersDirectlyWhileAdamNormalisesTheDecayTerm()
    {
        // Zero loss gradient, λ = 0.1, lr = 0.01. AdamW: moments stay 0, so only p ← (1 − lr·λ)·p acts:
        // p₅ = p₀·0.999⁵. Adam with L2: the gradient is λ·p, which Adam normalises to ≈ sign(p), so every
        // parameter moves by ≈ lr per step regardless of its size.
        const float lr = 0.01f, decay = 0.1f;
        var pw = Parameter("weight", 2f, -30f);
        var pa = Parameter("weight", 2f, -30f);
        var adamW = new AdamW([pw], new AdamOptions(lr) { WeightDecay = decay });
        var adam = new Adam([pa], new AdamOptions(lr) { WeightDecay = decay });
        for (int step = 0; step < 5; step++)
        {
            pw.Grad = Tensor.Zeros(2);
            pa.Grad = Tensor.Zeros(2);
            adamW.Step();
            adam.Step();
        }
        AssertClose([2 * Math.Pow(0.999, 5), -30 * Math.Pow(0.999, 5)], pw.ToArray(), 1e-6);
        AssertClose([2 - 5 * lr, -30 + 5 * lr], pa.ToArray(), 1e-4);
        // The same run in PyTorch 1.13 (torch.optim.Adam / AdamW, weight_decay = 0.1) for good measure.
        AssertClose([1.9500223398208618, -29.94999885559082], pa.ToArray(), 1e-6);
        AssertClose([1.9900201559066772, -29.85030174255371], pw.ToArray(), 1e-6);
    }

    [Fact]
    public void WithoutWeightDecayAdamAndAdamWAgreeExactly()
    {
        var rng = new Random(3);
        var init = RandomValues(rng, 21);
        var a = Parameter("weight", init);
        var w = Parameter("weight", init);
        var adam = new Adam([a], new AdamOptions(0.01f));
        var adamW = new AdamW([w], new AdamOptions(0.01f));
        for (int step = 0; step < 4; step++)
        {
            var g = RandomValues(rng, 21);
            a.Grad = Tensor.FromArray(g);
            w.Grad = Tensor.FromArray(g);
            adam.Step();
            adamW.Step();
        }
        Assert.Equal(a.ToArray(), w.ToArray());
    }

    [Fact]
    public void DecayFilterExemptsParametersByName()
    {
        var weight = Parameter("weight", 2f);
        var bias = Parameter("bias", 2f);
        var adamW = new AdamW([weight, bias], new AdamOptions(0.1f) { WeightDecay = 0.5f, DecayFilter = p => p.Name != "bias" });
        weight.Grad = Tensor.Zeros(1);
        bias.Grad = Tensor.Zeros(1);
        adamW.Step();
        Assert.Equal(2f * (1 - 0.1f * 0.5f), weight.Item(), 6);
        Assert.Equal(2f, bias.Item());
    }

    [Fact]
    public void BiasCorrectionCountsStepsPerParameter()
    {
        // A parameter that first gets a gradient at step 3 must take a first-step-sized update (≈ lr), as in
        // PyTorch, where the step count lives in each parameter's state.
        var a = Parameter("a", 0f);
        var late = Parameter("late", 0f);
        var adam = new Adam([a, late], new AdamOptions(0.1f));
        a.Grad = Tensor.FromArray([1f]);
        adam.Step();
        adam.Step();
        late.Grad = Tensor.FromArray([1f]);
        adam.Step();
        Assert.Equal(-0.1f, late.Item(), 5);
        Assert.Equal(3, adam.StepCount);
    }
}
