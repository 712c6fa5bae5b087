using MixQ.NN.Optim;
using MixQ.Tensors;
using static MixQ.NN.Tests.Optim.OptimizerTestData;

namespace MixQ.NN.Tests.Optim;

public class SgdTests
{
    [Fact]
    public void TwoMomentumStepsMatchHandComputedValues()
    {
        var p = Parameter("weight", 1f, -2f);
        var sgd = new Sgd([p], new SgdOptions(0.1f) { Momentum = 0.9f, WeightDecay = 0.01f });

        p.Grad = Tensor.FromArray([0.5f, 0.25f]);
        sgd.Step();
        // d = g + 0.01·p = [0.51, 0.23]; buf = d; p − 0.1·d
        AssertClose([0.949, -2.023], p.ToArray(), 1e-6);

        sgd.Step();
        // d = [0.5 + 0.00949, 0.25 − 0.02023] = [0.50949, 0.22977]; buf = 0.9·[0.51, 0.23] + d = [0.96849, 0.43677]
        AssertClose([0.852151, -2.066677], p.ToArray(), 1e-6);
    }

    [Fact]
    public void FirstNesterovStepMatchesHandComputedValue()
    {
        var p = Parameter("weight", 1f, -2f);
        var sgd = new Sgd([p], new SgdOptions(0.1f) { Momentum = 0.9f, Nesterov = true, WeightDecay = 0.01f });
        p.Grad = Tensor.FromArray([0.5f, 0.25f]);
        sgd.Step();
        // step = d + 0.9·buf = 1.9·d = [0.969, 0.437]
        AssertClose([0.9031, -2.0437], p.ToArray(), 1e-6);
    }

    public static TheoryData<float, float, bool, float> Settings => new()
    {
        { 0f, 0f, false, 0f },
        { 0f, 0f, false, 0.05f },
        { 0.9f, 0f, false, 0f },
        { 0.9f, 0.3f, false, 0.01f },
        { 0.8f, 0f, true, 0.02f },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void SeveralStepsMatchDoublePrecisionReference(float momentum, float dampening, bool nesterov, float weightDecay)
    {
        var rng = new Random(7);
        const int n = 37; // spans full vectors and a ragged tail
        var init = RandomValues(rng, n);
        var p = Parameter("weight", init);
        var sgd = new Sgd([p], new SgdOptions(0.05f) { Momentum = momentum, Dampening = dampening, Nesterov = nesterov, WeightDecay = weightDecay });
        var reference = new SgdReference(0.05, momentum, dampening, nesterov, weightDecay);
        var expected = ToDouble(init);

        for (int step = 0; step < 8; step++)
        {
            var g = RandomValues(rng, n);
            p.Grad = Tensor.FromArray(g);
            sgd.Step();
            reference.Step(expected, ToDouble(g));
        }
        AssertClose(expected, p.ToArray(), 1e-5);
    }

    [Fact]
    public void NesterovRunsOneStepAheadOfPlainMomentumUnderConstantGradient()
    {
        // With constant g: plain buf_k = g·(1 + μ + … + μ^(k−1)); Nesterov steps along g + μ·buf_k = buf_(k+1).
        // So after k steps Nesterov equals plain momentum after k + 1 steps, minus plain's first step (lr·g).
        const float lr = 0.1f, mu = 0.9f, g = 0.5f;
        var plain = Parameter("weight", 1f);
        var nesterov = Parameter("weight", 1f);
        var plainSgd = new Sgd([plain], new SgdOptions(lr) { Momentum = mu });
        var nesterovSgd = new Sgd([nesterov], new SgdOptions(lr) { Momentum = mu, Nesterov = true });
        plain.Grad = Tensor.FromArray([g]);
        nesterov.Grad = Tensor.FromArray([g]);

        plainSgd.Step();
        for (int k = 1; k <= 5; k++)
        {
            plainSgd.Step();
            nesterovSgd.Step();
            Assert.Equal(plain.Item() + lr * g, nesterov.Item(), tolerance: 1e-5f);
        }
        // And the two genuinely differ step for step.
        var plainAgain = Parameter("weight", 1f);
        var once = new Sgd([plainAgain], new SgdOptions(lr) { Momentum = mu });
        plainAgain.Grad = Tensor.FromArray([g]);
        for (int k = 0; k < 5; k++) once.Step();
        Assert.NotEqual(plainAgain.Item(), nesterov.Item(), 3);
    }

    [Fact]
    public void DecayFilterExemptsParametersByName()
    {
        var weight = Parameter("weight", 2f);
        var bias = Parameter("bias", 2f);
        var sgd = new Sgd([weight, bias], new SgdOptions(0.1f) { WeightDecay = 0.5f, DecayFilter = p => p.Name != "bias" });
        weight.Grad = Tensor.FromArray([0f]);
        bias.Grad = Tensor.FromArray([0f]);
        sgd.Step();
        Assert.Equal(2f - 0.1f * 0.5f * 2f, weight.Item(), 6);
        Assert.Equal(2f, bias.Item());
    }

    [Fact]
    public void ParametersWithoutGradientAreLeftAlone()
    {
        var a = Parameter("a", 1f, 2f);
        var b = Parameter("b", 3f);
        var sgd = new Sgd([a, b], new SgdOptions(0.1f) { Momentum = 0.9f, WeightDecay = 0.1f });
        a.Grad = Tensor.FromArray([1f, 1f]);
        sgd.Step();
        Assert.Equal(3f, b.Item());
        var state = sgd.ExportState();
        Assert.Contains("0.momentum_buffer", state.Keys);
        Assert.DoesNotContain("1.momentum_buffer", state.Keys);
        Assert.DoesNotContain("1.step", state.Keys);
    }

    [Fact]
    public void ZeroGradDropsGradients()
    {
        var a = Parameter("a", 1f);
        var sgd = new Sgd([a], new SgdOptions(0.1f));
        a.Grad = Tensor.FromArray([1f]);
        sgd.ZeroGrad();
        Assert.Null(a.Grad);
        sgd.Step();
        Assert.Equal(1f, a.Item());
    }

    [Fact]
    public void LearningRateChangeTakesEffectOnNextStep()
    {
        var a = Parameter("a", 1f);
        var sgd = new Sgd([a], new SgdOptions(0.1f));
        a.Grad = Tensor.FromArray([1f]);
        sgd.LearningRate = 0.25f;
        sgd.Step();
        Assert.Equal(0.75f, a.Item());
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        var a = Parameter("a", 1f);
        Assert.Throws<ArgumentException>(() => new Sgd([a], new SgdOptions(0.1f) { Nesterov = true }));
        Assert.Throws<ArgumentException>(() => new Sgd([a], new SgdOptions(0.1f) { Momentum = 0.9f, Dampening = 0.1f, Nesterov = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([a], new SgdOptions(-0.1f)));
        Assert.Throws<ArgumentException>(() => new Sgd([a, a], new SgdOptions(0.1f)));
    }
}
