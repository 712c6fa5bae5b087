using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Tests.Hgq;

public sealed class BetaScheduleTests
{
    [Fact]
    public void SchedulesInterpolateAsNamed()
    {
        var constant = BetaSchedule.Parse("constant:2e-6");
        Assert.Equal(2e-6, constant.At(0));
        Assert.Equal(2e-6, constant.At(0.7));

        var linear = BetaSchedule.Parse("linear:0:1e-4");
        Assert.Equal(0.25e-4, linear.At(0.25), 15);
        Assert.Equal(1e-4, linear.At(1), 15);

        var log = BetaSchedule.Parse("log:1e-7:1e-4");
        Assert.Equal(1e-7, log.At(0), 15);
        Assert.Equal(1e-6, log.At(1.0 / 3), 12);   // one decade per third of the run
        Assert.Equal(1e-5, log.At(2.0 / 3), 11);
        Assert.Equal(1e-4, log.At(1.5), 12);        // clamped past the end
        Assert.Equal("log:1E-07:0.0001", log.ToString());
        Assert.Equal(log, BetaSchedule.Parse(log.ToString()));
    }

    [Theory]
    [InlineData("constant:-1e-6", "beta must not be negative, got -1e-6")]
    [InlineData("constant:5", "beta 5 is absurd (at most 0.01)")]
    [InlineData("log:0:1e-4", "a log ramp needs positive start and end betas")]
    [InlineData("cosine:1:2", "is not constant:B, linear:B0:B1 or log:B0:B1")]
    [InlineData("linear:1e-6", "is not constant:B, linear:B0:B1 or log:B0:B1")]
    [InlineData("constant:abc", "'abc' is not a number")]
    [InlineData("constant:NaN", "'NaN' is not a number")]
    public void BadSchedulesEndInOneClearError(string text, string message)
    {
        var ex = Assert.Throws<MixQException>(() => BetaSchedule.Parse(text));
        Assert.Contains(message, ex.Message);
        Assert.StartsWith("--beta-schedule", ex.Message);
    }

    [Fact]
    public void ControllerRaisesBetaAboveTheTargetLowersItBelowAndSettlesAClosedLoop()
    {
        var up = new EbopsController(1000, 1e-6);
        Assert.True(up.Update(4000) > 1e-6);
        var down = new EbopsController(1000, 1e-6);
        Assert.True(down.Update(250) < 1e-6);
        var hold = new EbopsController(1000, 1e-6);
        Assert.Equal(1e-6, hold.Update(1000), 15);

        // A plant whose EBOPs fall as beta rises (EBOPs = 1e5 / sqrt(beta / 1e-8)): the loop must find beta for 5,000.
        var c = new EbopsController(5000, 1e-8, gain: 0.05);
        double ebops = 0;
        for (int step = 0; step < 3000; step++)
        {
            ebops = 1e5 / Math.Sqrt(c.Beta / 1e-8);
            c.Update(ebops);
        }
        Assert.InRange(ebops, 4900, 5100);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    public void ATargetOfZeroOrLessIsRefused(double target)
    {
        var ex = Assert.Throws<MixQException>(() => new EbopsController(target, 1e-6));
        Assert.StartsWith("--target-ebops must be a positive number", ex.Message);
        Assert.Throws<MixQException>(() => new HgqOptions { TargetEbops = target }.Validate());
    }
}
