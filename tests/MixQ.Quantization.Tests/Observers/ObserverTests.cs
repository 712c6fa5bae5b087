using MixQ.Quantization.Observers;

namespace MixQ.Quantization.Tests;

public class ObserverTests
{
    [Fact]
    public void MinMaxTracksTheRangeAcrossBatches()
    {
        var signed = new MinMaxObserver(signed: true);
        var unsigned = new MinMaxObserver(signed: false);
        foreach (var o in new RangeObserver[] { signed, unsigned })
        {
            o.Observe([0.5f, -3f, float.NaN]);
            o.Observe([2f]);
        }
        Assert.Equal(3f, signed.Threshold());
        Assert.Equal(2f, unsigned.Threshold());
        Assert.Equal(3, signed.Count);
        signed.Reset();
        Assert.Equal(0f, signed.Threshold());
    }

    [Theory]
    [InlineData(99.0, false)]
    [InlineData(99.9, true)]
    [InlineData(50.0, false)]
    public void PercentileMatchesTheExactPercentileOfAllBatches(double percentile, bool signed)
    {
        var rng = new Random(4);
        var all = new List<float>();
        var o = new PercentileObserver(signed, percentile, bins: 2048);
        for (int batch = 0; batch < 12; batch++)
        {
            // Later batches are wider, so the histogram must widen (merging bins) several times.
            float spread = 0.1f * (1 << Math.Min(batch, 6));
            var values = Enumerable.Range(0, 2000).Select(_ => spread * MixQ.Tensors.Tensor.Gaussian(rng)).ToArray();
            o.Observe(values);
            all.AddRange(values);
        }
        var stat = all.Select(v => signed ? Math.Abs(v) : Math.Max(v, 0f)).Order().ToArray();
        double exact = stat[(int)Math.Ceiling(percentile / 100 * stat.Length) - 1];
        double binWidth = stat[^1] * 2 / 2048.0;  // the range is at most twice the maximum
        Assert.InRange(o.Threshold(), exact - 2 * binWidth, exact + 2 * binWidth);
        Assert.Equal(all.Count, o.Count);
    }

    [Fact]
    public void HundredthPercentileIsTheMaximum()
    {
        var o = new PercentileObserver(signed: true, 100);
        o.Observe([0.1f, -0.7f, 0.3f]);
        o.Observe([2.9f, 0f]);
        Assert.Equal(2.9f, o.Threshold());
    }

    [Fact]
    public void PercentileRejectsBadSettings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileObserver(false, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileObserver(false, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PercentileObserver(false, 99, bins: 3));
    }
}
