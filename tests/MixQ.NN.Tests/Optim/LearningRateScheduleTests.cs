using MixQ.NN.Optim;
using static MixQ.NN.Tests.Optim.OptimizerTestData;

namespace MixQ.NN.Tests.Optim;

public class LearningRateScheduleTests
{
    [Fact]
    public void LinearWarmupRisesToTheBaseRateAtItsLastStep()
    {
        var s = new ConstantSchedule(0.1f, WarmupSteps: 4);
        Assert.Equal(0.025f, s.At(0, 100), 7);
        Assert.Equal(0.05f, s.At(1, 100), 7);
        Assert.Equal(0.075f, s.At(2, 100), 7);
        Assert.Equal(0.1f, s.At(3, 100), 7); // warm-up end
        Assert.Equal(0.1f, s.At(4, 100));
        Assert.Equal(0.1f, s.At(99, 100));
    }

    [Fact]
    public void StepDecayDropsAtEachBoundary()
    {
        var s = new StepDecaySchedule(1f, StepSize: 10, Gamma: 0.5f);
        Assert.Equal(1f, s.At(0, 100));
        Assert.Equal(1f, s.At(9, 100));
        Assert.Equal(0.5f, s.At(10, 100));
        Assert.Equal(0.5f, s.At(19, 100));
        Assert.Equal(0.25f, s.At(20, 100));
    }

    [Fact]
    public void DecayCountsFromTheEndOfWarmup()
    {
        var s = new StepDecaySchedule(1f, StepSize: 10, Gamma: 0.5f, WarmupSteps: 5);
        Assert.Equal(0.2f, s.At(0, 100), 7);
        Assert.Equal(1f, s.At(4, 100));
        Assert.Equal(1f, s.At(14, 100));
        Assert.Equal(0.5f, s.At(15, 100));
    }

    [Fact]
    public void MultiStepDropsAtEachMilestone()
    {
        var s = new MultiStepSchedule(1f, [3, 7], Gamma: 0.1f);
        Assert.Equal(1f, s.At(2, 20));
        Assert.Equal(0.1f, s.At(3, 20), 7);
        Assert.Equal(0.1f, s.At(6, 20), 7);
        Assert.Equal(0.01f, s.At(7, 20), 7);
        Assert.Equal(0.01f, s.At(19, 20), 7);
    }

    [Fact]
    public void CosineStartsAtBaseHitsTheMeanHalfwayAndEndsAtTheFloor()
    {
        var s = new CosineSchedule(1f, MinRate: 0.1f, WarmupSteps: 10);
        const int total = 110; // 100 decay steps after warm-up
        Assert.Equal(0.1f, s.At(0, total), 7);
        Assert.Equal(1f, s.At(9, total));          // warm-up end
        Assert.Equal(1f, s.At(10, total));         // cos(0)
        Assert.Equal(0.55f, s.At(60, total), 6);   // midpoint: (max + min) / 2
        Assert.Equal(0.1 + 0.9 * (1 + Math.Cos(Math.PI * 0.25)) / 2, s.At(35, total), 6);
        Assert.Equal(0.1f, s.At(110, total));
        Assert.Equal(0.1f, s.At(500, total));      // held at the floor past the end
        float previous = float.MaxValue;
        for (int step = 10; step <= total; step++)
        {
            float rate = s.At(step, total);
            Assert.True(rate <= previous && rate >= 0.1f);
            previous = rate;
        }
    }

    [Fact]
    public void ApplySetsTheOptimizerRate()
    {
        var sgd = new Sgd([Parameter("w", 1f)], new SgdOptions(1f));
        new CosineSchedule(0.2f).Apply(sgd, 50, 100);
        Assert.Equal(0.1f, sgd.LearningRate, 6);
    }
}
