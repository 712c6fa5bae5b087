using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Scaling;

/// <summary>
/// The MSE-optimal row scale: argmin over alpha of Σ (w - alpha Q(w / alpha))^2, a 1-D problem whose objective
/// is continuous and piecewise quadratic in alpha but not convex (it has a local minimum wherever the
/// level assignment changes). Search on the <see cref="SortedMagnitudes"/> model:
/// <list type="number">
/// <item>candidates: a geometric grid of <see cref="GridPoints"/> ratios alpha / alpha_max from 2^-7 to 2
/// (alpha_max = max|w| / max|Q| is the max-abs scale; the optimum of a ternary format on a heavy-tailed row sits far
/// below it, and for SP2, whose top levels 3/4 and 1 are far apart, it can sit above it), plus the scales that put
/// the largest weight exactly on one of the top <see cref="TopLevelCandidates"/> levels (alpha = max|w| / M_i);</item>
/// <item>from each of the <see cref="Starts"/> best candidates: golden-section search between its grid
/// neighbours, then Lloyd iterations alpha = &lt;|w|, M&gt; / &lt;M, M&gt; over the current assignment while they
/// improve (each is the exact optimum for a fixed assignment);</item>
/// <item>the best point visited wins.</item>
/// </list>
/// Several starts matter because a sharp local minimum (e.g. a row already on the levels of some scale, error 0)
/// can sit next to a wider, shallower one.
/// </summary>
internal static class ScaleSearch
{
    public const int GridPoints = 96;
    public const int TopLevelCandidates = 3;
    public const int Starts = 3;
    private const double LowestRatio = 1.0 / 128, HighestRatio = 2.0;
    private const int GoldenIterations = 18, LloydIterations = 8;

    /// <summary>The best scale found for the model (positive), or 0 when the row is all zeros.</summary>
    public static double Optimal(SortedMagnitudes row, LevelSet levels)
    {
        double maxAbs = row.Max / (double)levels.MaxMagnitude;
        if (!(maxAbs > 0)) return 0;

        var candidates = new List<(double Error, double Alpha)>(GridPoints + TopLevelCandidates);
        double step = Math.Pow(HighestRatio / LowestRatio, 1.0 / (GridPoints - 1));
        for (int g = 0; g < GridPoints; g++)
        {
            double alpha = maxAbs * LowestRatio * Math.Pow(step, g);
            candidates.Add((row.Error(alpha, levels, out _), alpha));
        }
        var mags = levels.Magnitudes;
        for (int i = mags.Length - 1; i >= Math.Max(1, mags.Length - TopLevelCandidates); i--)
        {
            double alpha = row.Max / (double)mags[i];
            candidates.Add((row.Error(alpha, levels, out _), alpha));
        }
        candidates.Sort();

        double bestAlpha = candidates[0].Alpha, bestError = candidates[0].Error;
        for (int s = 0; s < Math.Min(Starts, candidates.Count); s++)
        {
            var (error, alpha) = candidates[s];
            Golden(row, levels, alpha / step, alpha * step, ref alpha, ref error);
            Lloyd(row, levels, ref alpha, ref error);
            if (error < bestError) (bestAlpha, bestError) = (alpha, error);
        }
        return bestAlpha;
    }

    private static void Lloyd(SortedMagnitudes row, LevelSet levels, ref double bestAlpha, ref double bestError)
    {
        double current = bestAlpha;
        row.Error(current, levels, out double next);
        for (int it = 0; it < LloydIterations && next > 0 && next != current; it++)
        {
            double e = row.Error(next, levels, out double following);
            if (e < bestError) (bestAlpha, bestError) = (next, e);
            else break;
            (current, next) = (next, following);
        }
    }

    private static void Golden(SortedMagnitudes row, LevelSet levels, double lo, double hi, ref double bestAlpha, ref double bestError)
    {
        double inv = (Math.Sqrt(5) - 1) / 2;
        double a = hi - inv * (hi - lo), b = lo + inv * (hi - lo);
        double ea = row.Error(a, levels, out _), eb = row.Error(b, levels, out _);
        for (int it = 0; it < GoldenIterations; it++)
        {
            if (ea <= eb)
            {
                hi = b; b = a; eb = ea;
                a = hi - inv * (hi - lo);
                ea = row.Error(a, levels, out _);
            }
            else
            {
                lo = a; a = b; ea = eb;
                b = lo + inv * (hi - lo);
                eb = row.Error(b, levels, out _);
            }
        }
        if (ea < bestError) (bestAlpha, bestError) = (a, ea);
        if (eb < bestError) (bestAlpha, bestError) = (b, eb);
    }
}
