using MixQ.Tensors;

namespace MixQ.Tensors.Tests;

public class DropoutTests
{
    [Fact]
    public void EvaluationReturnsTheInputUntouched()
    {
        var x = Tensor.Ones(3, 4);
        Assert.Same(x, Ops.Dropout(x, 0.5f, training: false, new Random(1)));
    }

    [Fact]
    public void TrainingZeroesAboutPAndRescalesSurvivors()
    {
        var x = Tensor.Ones(100, 100);
        x.RequiresGrad = true;
        var y = Ops.Dropout(x, 0.3f, training: true, new Random(5));
        var values = y.ToArray();
        Assert.All(values, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.7f) < 1e-6f));
        double dropped = values.Count(v => v == 0f) / (double)values.Length;
        Assert.InRange(dropped, 0.27, 0.33);

        // The gradient is the same mask.
        y.Backward(Tensor.Ones(100, 100));
        Assert.Equal(values, x.Grad!.ToArray());
    }

    [Fact]
    public void TheSameSeedGivesTheSameMask()
    {
        var x = Tensor.Ones(50);
        Assert.Equal(Ops.Dropout(x, 0.5f, true, new Random(9)).ToArray(), Ops.Dropout(x, 0.5f, true, new Random(9)).ToArray());
        Assert.NotEqual(Ops.Dropout(x, 0.5f, true, new Random(9)).ToArray(), Ops.Dropout(x, 0.5f, true, new Random(10)).ToArray());
    }

    [Fact]
    public void ProbabilityOneDropsEverything()
    {
        Assert.All(Ops.Dropout(Tensor.Ones(10), 1f, true, new Random(1)).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Ops.Dropout(Tensor.Ones(1 << 16), 1f, true, new Random(1)).ToArray(), v => Assert.Equal(0f, v)); // a pooled mask
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(Tensor.Ones(10), 1.5f, true, new Random(1)));
    }
}
