namespace MixQ.Tensors.Tests;

/// <summary>Direct double-precision definitions of the fused ops: loops that follow the formulas literally.</summary>
internal static class NaiveReference
{
    /// <summary>Direct convolution: y[n,o,i,j] = b[o] + sum_{c in group, p, q} x[n,c,i*s-pad+p, j*s-pad+q] w[o,c',p,q].</summary>
    public static double[] Conv2d(double[] x, int[] xShape, double[] w, int[] wShape, double[]? b, int stride, int pad, int groups)
    {
        int n = xShape[0], c = xShape[1], h = xShape[2], wd = xShape[3];
        int oc = wShape[0], cg = wShape[1], kh = wShape[2], kw = wShape[3];
        int oh = (h + 2 * pad - kh) / stride + 1, ow = (wd + 2 * pad - kw) / stride + 1;
        int ocg = oc / groups;
        var y = new double[n * oc * oh * ow];
        for (int s = 0; s < n; s++)
        for (int o = 0; o < oc; o++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double sum = b?[o] ?? 0;
            int grp = o / ocg;
            for (int ci = 0; ci < cg; ci++)
            for (int p = 0; p < kh; p++)
            for (int q = 0; q < kw; q++)
            {
                int ih = i * stride - pad + p, iw = j * stride - pad + q;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                int channel = grp * cg + ci;
                sum += x[((s * c + channel) * h + ih) * wd + iw] * w[((o * cg + ci) * kh + p) * kw + q];
            }
            y[((s * oc + o) * oh + i) * ow + j] = sum;
        }
        return y;
    }

    public static double[] Pool(double[] x, int[] shape, int k, int stride, int pad, bool max, bool countPad = true)
    {
        int planes = shape[0] * shape[1], h = shape[2], w = shape[3];
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        var y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            int count = 0;
            for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                int ih = i * stride - pad + a, iw = j * stride - pad + b;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                double v = x[(p * h + ih) * w + iw];
                acc = max ? Math.Max(acc, v) : acc + v;
                count++;
            }
            y[(p * oh + i) * ow + j] = max ? acc : acc / (countPad ? k * k : count);
        }
        return y;
    }

    /// <summary>Normalises channel axis 1 of [N, C, S...] with the given (or batch) statistics.</summary>
    public static double[] BatchNorm(double[] x, int n, int c, int s, double[]? gamma, double[]? beta,
        double[]? fixedMean, double[]? fixedVar, double eps, out double[] batchMean, out double[] batchVar)
    {
        batchMean = new double[c];
        batchVar = new double[c];
        var y = new double[x.Length];
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int t = 0; t < s; t++) sum += x[(i * c + ch) * s + t];
            double mean = sum / (n * s);
            double sq = 0;
            for (int i = 0; i < n; i++) for (int t = 0; t < s; t++) sq += Math.Pow(x[(i * c + ch) * s + t] - mean, 2);
            batchMean[ch] = mean;
            batchVar[ch] = sq / (n * s);
            double m = fixedMean?[ch] ?? mean, v = fixedVar?[ch] ?? batchVar[ch];
            for (int i = 0; i < n; i++)
            for (int t = 0; t < s; t++)
            {
                int at = (i * c + ch) * s + t;
                y[at] = (x[at] - m) / Math.Sqrt(v + eps) * (gamma?[ch] ?? 1) + (beta?[ch] ?? 0);
            }
        }
        return y;
    }

    public static double[] LayerNorm(double[] x, int d, double[]? gamma, double[]? beta, double eps)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / d; r++)
        {
            double mean = 0, v = 0;
            for (int i = 0; i < d; i++) mean += x[r * d + i];
            mean /= d;
            for (int i = 0; i < d; i++) v += Math.Pow(x[r * d + i] - mean, 2);
            v /= d;
            for (int i = 0; i < d; i++)
                y[r * d + i] = (x[r * d + i] - mean) / Math.Sqrt(v + eps) * (gamma?[i] ?? 1) + (beta?[i] ?? 0);
        }
        return y;
    }

    public static double[] Softmax(double[] x, int d, bool log)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / d; r++)
        {
            double max = double.NegativeInfinity;
            for (int i = 0; i < d; i++) max = Math.Max(max, x[r * d + i]);
            double sum = 0;
            for (int i = 0; i < d; i++) sum += Math.Exp(x[r * d + i] - max);
            for (int i = 0; i < d; i++)
                y[r * d + i] = log ? x[r * d + i] - max - Math.Log(sum) : Math.Exp(x[r * d + i] - max) / sum;
        }
        return y;
    }

    public static double CrossEntropy(double[] logits, int k, int[] labels, double smoothing)
    {
        var logp = Softmax(logits, k, log: true);
        double total = 0;
        for (int r = 0; r < labels.Length; r++)
            for (int i = 0; i < k; i++)
                total -= ((i == labels[r] ? 1 - smoothing : 0) + smoothing / k) * logp[r * k + i];
        return total / labels.Length;
    }

    public static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}
