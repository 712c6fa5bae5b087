using MixQ.NN.Optim;
using MixQ.Tensors;
using static MixQ.NN.Tests.Optim.OptimizerTestData;

namespace MixQ.NN.Tests.Optim;

public class ResetMomentumTests
{
    /// <summary>
    /// Five steps, a reset of elements 1 and 4 after the third, against the double-precision references with the same
    /// reset: SGD zeroes the momentum buffer; Adam zeroes the first moment and keeps the second and the step count.
    /// </summary>
    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-dampened")]
    [InlineData("adam")]
    public void ResetElementsFollowTheReference(string kind)
    {
        var rng = new Random(3);
        var values = RandomValues(rng, 7);
        var p = Parameter("scale", values);
        var expected = ToDouble(values);
        Optimizer optimizer = kind == "adam"
            ? new Adam([p], new AdamOptions(0.01f))
            : new Sgd([p], new SgdOptions(0.1f) { Momentum = 0.9f, Dampening = kind == "sgd" ? 0f : 0.3f });
        var sgdReference = new SgdReference(0.1, 0.9, kind == "sgd" ? 0 : 0.3);
        var adamReference = new AdamReference(0.01);
        int[] reset = [1, 4];
        for (int step = 0; step < 5; step++)
        {
            if (step == 3)
            {
                optimizer.ResetMomentum(p, reset);
                foreach (int i in reset)
                    if (kind == "adam") adamReference.ResetFirstMoment(i); else sgdReference.ResetMomentum(i);
            }
            var g = RandomValues(rng, 7);
            p.Grad = Tensor.FromArray(g);
            optimizer.Step();
            if (kind == "adam") adamReference.Step(expected, ToDouble(g)); else sgdReference.Step(expected, ToDouble(g));
            AssertClose(expected, p.ToArray(), 1e-5);
        }
    }

    [Fact]
    public void OnlyTheNamedElementsAndOnlyMomentumChange()
    {
        var p = Parameter("scale", 1f, 2f, 3f);
        var adam = new Adam([p], new AdamOptions(0.01f));
        p.Grad = Tensor.FromArray([0.5f, -0.25f, 2f]);
        adam.Step();
        var before = adam.ExportState();
        adam.ResetMomentum(p, [2]);
        var after = adam.ExportState();
        Assert.Equal(new[] { before["0.exp_avg"].ToArray()[0], before["0.exp_avg"].ToArray()[1], 0f }, after["0.exp_avg"].ToArray());
        Assert.NotEqual(0f, before["0.exp_avg"].ToArray()[2]);
        Assert.Equal(before["0.exp_avg_sq"].ToArray(), after["0.exp_avg_sq"].ToArray());
        Assert.Equal(before["0.step"].ToArray(), after["0.step"].ToArray());
    }

    [Fact]
    public void AParameterNotYetSteppedHasNothingToForget()
    {
        var p = Parameter("scale", 1f, 2f);
        var sgd = new Sgd([p], new SgdOptions(0.1f) { Momentum = 0.9f });
        sgd.ResetMomentum(p, [0, 1]);
        Assert.Single(sgd.ExportState()); // only the global step count
        p.Grad = Tensor.FromArray([1f, 1f]);
        sgd.Step();
        AssertClose([0.9, 1.9], p.ToArray(), 1e-7); // a first step: buf = g
    }

    [Fact]
    public void ForeignParametersAndIndicesOutsideTheTensorAreRefused()
    {
        var p = Parameter("scale", 1f, 2f);
        var other = Parameter("other", 1f);
        var sgd = new Sgd([p], new SgdOptions(0.1f) { Momentum = 0.9f });
        Assert.Contains("not a parameter", Assert.Throws<ArgumentException>(() => sgd.ResetMomentum(other, [0])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ResetMomentum(p, [2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ResetMomentum(p, [-1]));
    }
}
