using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests;

/// <summary>
/// Independent references: level sets built from the methods.md definitions with exact fractions (as double),
/// and a brute-force nearest-level scan. Distances are exact: for fixed point the scan compares |t K - k| (t K is
/// exact in double), for PoT / SP2 it compares |t - q| with dyadic q. Ties go to the larger magnitude.
/// </summary>
internal static class NaiveQuantizer
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<NumberFormat, double[]> Cache = new();

    public static double[] Magnitudes(NumberFormat f) => Cache.GetOrAdd(f, Build);

    private static double[] Build(NumberFormat f)
    {
        int m = f.Bits;
        switch (f.Scheme)
        {
            case QuantScheme.Fixed:
                {
                    int k = (1 << (m - 1)) - 1;
                    return Enumerable.Range(0, k + 1).Select(i => (double)i / k).ToArray();
                }
            case QuantScheme.PowerOfTwo:
                return new[] { 0.0 }.Concat(Enumerable.Range(0, (1 << (m - 1)) - 1).Select(j => Math.Pow(2, -j))).Order().ToArray();
            default:
                {
                    int m1 = (int)Math.Ceiling((m - 1) / 2.0), m2 = (m - 1) / 2;
                    var q1 = new[] { 0.0 }.Concat(Enumerable.Range(1, (1 << m1) - 1).Select(j => Math.Pow(2, -j)));
                    var q2 = new[] { 0.0 }.Concat(Enumerable.Range(1, Math.Max(0, (1 << m2) - 1)).Select(j => Math.Pow(2, -j))).ToArray();
                    return q1.SelectMany(a => q2.Select(b => a + b)).Distinct().Order().ToArray();
                }
        }
    }

    /// <summary>The nearest signed level to t (unscaled), by scanning every level.</summary>
    public static double Nearest(NumberFormat f, float t)
    {
        var mags = Magnitudes(f);
        int maxK = (1 << (f.Bits - 1)) - 1;
        double best = double.NaN, bestDistance = double.PositiveInfinity;
        foreach (double mag in mags)
        {
            foreach (double q in new[] { mag, -mag })
            {
                double distance = f.Scheme == QuantScheme.Fixed
                    ? Math.Abs((double)t * maxK - Math.Round(q * maxK))
                    : Math.Abs((double)t - q);
                if (distance < bestDistance || (distance == bestDistance && Math.Abs(q) > Math.Abs(best)))
                    (best, bestDistance) = (q, distance);
            }
        }
        return best;
    }

    /// <summary>Σ (w - alpha Q(fl(w * fl(1/alpha))))^2 by brute force, in double.</summary>
    public static double RowError(ReadOnlySpan<float> row, NumberFormat f, float alpha)
    {
        float inv = 1f / alpha;
        double sum = 0;
        foreach (float w in row)
        {
            double q = Nearest(f, w * inv);
            double d = w - (double)(float)(alpha * (float)q);
            sum += d * d;
        }
        return sum;
    }
}
