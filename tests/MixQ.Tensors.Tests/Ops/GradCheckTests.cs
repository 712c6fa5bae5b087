using MixQ.Tensors.Autograd;
using Xunit.Sdk;

namespace MixQ.Tensors.Tests;

/// <summary>The harness must be able to fail: ops with a planted forward or backward error are rejected.</summary>
public class GradCheckTests
{
    [Fact]
    public void RejectsWrongGradient()
    {
        var x = GradCheck.Input(new Random(1), 2, 3);
        // Square with the factor 2 missing from its backward.
        var error = Assert.Throws<XunitException>(() => GradCheck.Run(t => WrongSquare(t[0]), d => Reference.Map(d[0], v => v * v), x));
        Assert.Contains("finite difference", error.Message);
    }

    [Fact]
    public void RejectsSmallGradientError()
    {
        // A 1% error in a unit-sized gradient is far outside the 1e-3 tolerance.
        var x = GradCheck.Input(new Random(2), 4);
        Assert.Throws<XunitException>(() => GradCheck.Run(t => ScaledBackward(t[0], 1.01f), d => d[0], x));
        GradCheck.Run(t => ScaledBackward(t[0], 1f), d => d[0], x);
    }

    [Fact]
    public void RejectsWrongForward()
    {
        var x = GradCheck.Input(new Random(3), 5);
        var error = Assert.Throws<XunitException>(() => GradCheck.Run(t => Ops.Exp(t[0]), d => Reference.Map(d[0], v => Math.Exp(v) * 1.001), x));
        Assert.Contains("forward", error.Message);
    }

    [Fact]
    public void RejectsOpThatRecordsNothing()
    {
        var x = GradCheck.Input(new Random(4), 3);
        Assert.Throws<XunitException>(() => GradCheck.Run(t => t[0].Detach().Clone(), d => d[0], x));
    }

    [Fact]
    public void RejectsMissingGradientForOneInput()
    {
        // a * b whose backward forgets b.
        var rng = new Random(5);
        var a = GradCheck.Input(rng, 3);
        var b = GradCheck.Input(rng, 3);
        Assert.Throws<XunitException>(() => GradCheck.Run(t => ForgetfulMul(t[0], t[1]),
            d => Reference.Broadcast(d[0], [3], d[1], [3], (p, q) => p * q), a, b));
    }

    private static Tensor WrongSquare(Tensor x)
    {
        var y = Tensor.FromArray(x.ToArray().Select(v => v * v).ToArray(), x.ShapeArray());
        return Graph.Record("wrong_square", y, [x], g => x.AccumulateGrad(g.ToArray().Zip(x.ToArray(), (gv, xv) => gv * xv).ToArray()));
    }

    private static Tensor ScaledBackward(Tensor x, float factor)
    {
        var y = x.Clone();
        return Graph.Record("scaled", y, [x], g => x.AccumulateGrad(g.ToArray().Select(v => v * factor).ToArray()));
    }

    private static Tensor ForgetfulMul(Tensor a, Tensor b)
    {
        var y = Tensor.FromArray(a.ToArray().Zip(b.ToArray(), (p, q) => p * q).ToArray(), a.ShapeArray());
        return Graph.Record("forgetful_mul", y, [a, b], g => a.AccumulateGrad(g.ToArray().Zip(b.ToArray(), (gv, bv) => gv * bv).ToArray()));
    }
}
