using System.Buffers;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Scaling;

/// <summary>
/// A row's |w| sorted ascending with prefix sums of |w| and |w|^2 (double), so the squared error of the row
/// under any scale alpha costs one binary search per level instead of a pass over the row.
///
/// <para>For a scale alpha, the weights with alpha * mid[i-1] &lt;= |w| &lt; alpha * mid[i] go to magnitude M[i]
/// (a weight on a boundary goes up, as the projection rounds ties away from zero). With n_i, S1_i = Σ|w|,
/// S2_i = Σ|w|^2 over that segment: error(alpha) = Σ_i S2_i - 2 alpha M_i S1_i + alpha^2 M_i^2 n_i, and the
/// Lloyd update (the best alpha for that assignment) is alpha' = Σ M_i S1_i / Σ M_i^2 n_i.
/// This is the model the search optimises; the reported error is always the real projection's.</para>
/// </summary>
internal sealed class SortedMagnitudes : IDisposable
{
    private readonly float[] _sorted;
    private readonly double[] _sum1;
    private readonly double[] _sum2;

    public SortedMagnitudes(ReadOnlySpan<float> row)
    {
        Count = row.Length;
        _sorted = ArrayPool<float>.Shared.Rent(Math.Max(1, Count));
        _sum1 = ArrayPool<double>.Shared.Rent(Count + 1);
        _sum2 = ArrayPool<double>.Shared.Rent(Count + 1);
        var sorted = _sorted.AsSpan(0, Count);
        System.Numerics.Tensors.TensorPrimitives.Abs(row, sorted);
        sorted.Sort();
        double s1 = 0, s2 = 0;
        _sum1[0] = _sum2[0] = 0;
        for (int i = 0; i < Count; i++)
        {
            double a = sorted[i];
            s1 += a;
            s2 += a * a;
            _sum1[i + 1] = s1;
            _sum2[i + 1] = s2;
        }
    }

    public int Count { get; }

    /// <summary>max |w| (0 for an empty row).</summary>
    public float Max => Count == 0 ? 0f : _sorted[Count - 1];

    /// <summary>Model squared error at <paramref name="alpha"/> and the Lloyd update of alpha.</summary>
    public double Error(double alpha, LevelSet levels, out double lloydAlpha)
    {
        var mags = levels.Magnitudes;
        var mids = levels.ExactMidpoints;
        double error = 0, num = 0, den = 0;
        int start = 0;
        for (int i = 0; i < mags.Length; i++)
        {
            int end = i == mags.Length - 1 ? Count : LowerBound(start, alpha * mids[i]);
            int n = end - start;
            if (n > 0)
            {
                double m = mags[i];
                double s1 = _sum1[end] - _sum1[start], s2 = _sum2[end] - _sum2[start];
                error += s2 - 2 * alpha * m * s1 + alpha * alpha * m * m * n;
                num += m * s1;
                den += m * m * n;
            }
            start = end;
        }
        lloydAlpha = den > 0 ? num / den : alpha;
        return Math.Max(0, error);
    }

    /// <summary>
    /// First index >= <paramref name="from"/> whose magnitude is >= <paramref name="bound"/>. Gallops from
    /// <paramref name="from"/> (probes from + 1, 2, 4, ...) before bisecting, so with many levels each search costs
    /// the log of its own segment's length rather than the log of the row's.
    /// </summary>
    private int LowerBound(int from, double bound)
    {
        int lo = from, probe = from, step = 1;
        while (probe < Count && _sorted[probe] < bound)
        {
            lo = probe + 1;
            probe = from + step;
            step <<= 1;
        }
        int hi = Math.Min(probe, Count);
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sorted[mid] < bound) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    public void Dispose()
    {
        ArrayPool<float>.Shared.Return(_sorted);
        ArrayPool<double>.Shared.Return(_sum1);
        ArrayPool<double>.Shared.Return(_sum2);
    }
}
