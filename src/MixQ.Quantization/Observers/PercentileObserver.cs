namespace MixQ.Quantization.Observers;

/// <summary>
/// The p-th percentile of the statistic (|x| or max(x, 0)) over all calibration batches, from a histogram of
/// <see cref="Bins"/> equal bins over [0, range). Memory stays fixed however many batches are seen: when a
/// batch exceeds the range, the range doubles and pairs of bins merge, which is exact (no re-binning error).
/// The percentile is interpolated linearly inside its bin, so it is accurate to about range / bins, and it
/// never exceeds the largest value seen (p = 100 gives the maximum exactly).
/// </summary>
public sealed class PercentileObserver : RangeObserver
{
    private readonly long[] _counts;
    private float _range;
    private float _max;

    public PercentileObserver(bool signed, double percentile, int bins = 2048) : base(signed)
    {
        if (!(percentile > 0 && percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "percentile must be in (0, 100]");
        if (bins < 2 || bins % 2 != 0) throw new ArgumentOutOfRangeException(nameof(bins), bins, "bins must be even and at least 2");
        Percentile = percentile;
        _counts = new long[bins];
    }

    public double Percentile { get; }

    public int Bins => _counts.Length;

    public override void Observe(ReadOnlySpan<float> values)
    {
        float batchMax = 0f;
        foreach (float v in values)
            if (!float.IsNaN(v)) batchMax = MathF.Max(batchMax, Statistic(v));
        if (!float.IsFinite(batchMax)) throw new ArgumentException("cannot calibrate on infinite activations", nameof(values));
        _max = MathF.Max(_max, batchMax);
        if (_range == 0f && batchMax > 0f) _range = batchMax;
        while (batchMax > _range) Widen();

        int bins = _counts.Length;
        float perUnit = _range > 0f ? bins / _range : 0f;
        foreach (float v in values)
        {
            if (float.IsNaN(v)) continue;
            Count++;
            int bin = (int)(Statistic(v) * perUnit);
            _counts[Math.Min(bin, bins - 1)]++;
        }
    }

    /// <summary>Doubles the range: bin j of the new histogram covers old bins 2j and 2j + 1.</summary>
    private void Widen()
    {
        int half = _counts.Length / 2;
        for (int j = 0; j < half; j++) _counts[j] = _counts[2 * j] + _counts[2 * j + 1];
        Array.Clear(_counts, half, half);
        _range *= 2f;
    }

    public override float Threshold()
    {
        if (Count == 0 || _range == 0f) return 0f;
        double target = Percentile / 100.0 * Count, cumulative = 0, width = (double)_range / _counts.Length;
        for (int i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] > 0 && cumulative + _counts[i] >= target)
            {
                double inside = Math.Clamp((target - cumulative) / _counts[i], 0, 1);
                return (float)Math.Min((i + inside) * width, _max);
            }
            cumulative += _counts[i];
        }
        return _max;
    }

    public override void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        _range = 0f;
        _max = 0f;
    }
}
