using MixQ.NN.Optim;
using MixQ.Tensors;
using static MixQ.NN.Tests.Optim.OptimizerTestData;

namespace MixQ.NN.Tests.Optim;

public class GradientClippingTests
{
    [Fact]
    public void GlobalNormScalesAllGradientsTogether()
    {
        var a = Parameter("a", 0f, 0f);
        var b = Parameter("b", 0f);
        var unused = Parameter("c", 0f);
        a.Grad = Tensor.FromArray([3f, 4f]);
        b.Grad = Tensor.FromArray([12f]);
        float norm = GradientClipping.ClipByGlobalNorm([a, b, unused], 6.5f); // √(9 + 16 + 144) = 13
        Assert.Equal(13f, norm, 5);
        AssertClose([1.5, 2.0], a.Grad.ToArray(), 1e-6);
        AssertClose([6.0], b.Grad.ToArray(), 1e-6);
        Assert.Null(unused.Grad);
    }

    [Fact]
    public void GlobalNormMatchesDoubleReferenceOnRandomGradients()
    {
        var rng = new Random(9);
        var ps = new[] { Parameter("a", new float[37]), Parameter("b", new float[5]), Parameter("c", new float[130]) };
        foreach (var p in ps) p.Grad = Tensor.FromArray(RandomValues(rng, p.Size));
        var before = ps.Select(p => ToDouble(p.Grad!.ToArray())).ToArray();
        double expectedNorm = Math.Sqrt(before.Sum(g => g.Sum(x => x * x)));

        float norm = GradientClipping.ClipByGlobalNorm(ps, 1f);

        Assert.Equal(expectedNorm, norm, 4);
        double scale = 1 / (expectedNorm + 1e-6);
        for (int i = 0; i < ps.Length; i++) AssertClose(before[i].Select(x => x * scale).ToArray(), ps[i].Grad!.ToArray(), 1e-6);
        double after = Math.Sqrt(ps.Sum(p => p.Grad!.ToArray().Sum(x => (double)x * x)));
        Assert.Equal(1.0, after, 5);
    }

    [Fact]
    public void GradientsWithinTheLimitAreUntouched()
    {
        var a = Parameter("a", 0f, 0f);
        a.Grad = Tensor.FromArray([0.3f, -0.4f]);
        Assert.Equal(0.5f, GradientClipping.ClipByGlobalNorm([a], 1f), 6);
        Assert.Equal([0.3f, -0.4f], a.Grad.ToArray());
    }

    [Fact]
    public void NonFiniteNormIsReportedAndGradientsAreLeftForTheCallerToSkip()
    {
        var a = Parameter("a", 0f, 0f);
        a.Grad = Tensor.FromArray([float.PositiveInfinity, 1f]);
        Assert.True(float.IsPositiveInfinity(GradientClipping.ClipByGlobalNorm([a], 1f)));
        Assert.Equal([float.PositiveInfinity, 1f], a.Grad.ToArray());
    }

    [Fact]
    public void ClipByValueClampsEachElement()
    {
        var a = Parameter("a", 0f, 0f, 0f, 0f);
        var b = Parameter("b", 0f);
        a.Grad = Tensor.FromArray([-3f, -0.5f, 0.25f, 7f]);
        GradientClipping.ClipByValue([a, b], 1f);
        Assert.Equal([-1f, -0.5f, 0.25f, 1f], a.Grad.ToArray());
        Assert.Null(b.Grad);
    }
}
