namespace MixQ.Hardware.Cost;

/// <summary>Ordinary least squares by the normal equations (a handful of features, so this is exact enough).</summary>
internal static class LeastSquares
{
    /// <summary>
    /// Coefficients c minimizing sum_i w_i (x_i . c - y_i)^2. With <paramref name="relative"/>, w_i = 1 / max(y_i, 1)^2:
    /// the relative error counts, so a 2,000-LUT block does not drown the 10-LUT ones.
    /// </summary>
    public static double[] Fit(IReadOnlyList<double[]> x, IReadOnlyList<double> y, bool relative = true)
    {
        int p = x[0].Length;
        if (x.Count < p) throw new ArgumentException($"need at least {p} points to fit {p} coefficients, got {x.Count}");
        var a = new double[p, p + 1];
        for (int i = 0; i < x.Count; i++)
        {
            double w = relative ? 1.0 / Math.Pow(Math.Max(y[i], 1), 2) : 1.0;
            for (int r = 0; r < p; r++)
            {
                for (int c = 0; c < p; c++) a[r, c] += w * x[i][r] * x[i][c];
                a[r, p] += w * x[i][r] * y[i];
            }
        }
        // Gaussian elimination with partial pivoting.
        for (int col = 0; col < p; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < p; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            if (Math.Abs(a[pivot, col]) < 1e-12) throw new ArgumentException("features are linearly dependent");
            for (int c = 0; c <= p; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (int r = 0; r < p; r++)
            {
                if (r == col) continue;
                double f = a[r, col] / a[col, col];
                for (int c = col; c <= p; c++) a[r, c] -= f * a[col, c];
            }
        }
        var result = new double[p];
        for (int r = 0; r < p; r++) result[r] = a[r, p] / a[r, r];
        return result;
    }
}
