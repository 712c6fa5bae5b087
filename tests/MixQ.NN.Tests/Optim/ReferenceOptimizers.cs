namespace MixQ.NN.Tests.Optim;

/// <summary>
/// Double-precision, element-by-element transcriptions of the PyTorch update rules, written from the
/// formulas (torch.optim.SGD / Adam / AdamW documentation) independently of the production kernels.
/// </summary>
internal sealed class SgdReference(double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
{
    private double[]? _buffer;

    public void Step(double[] p, double[] g)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double d = g[i] + weightDecay * p[i];
            if (momentum != 0)
            {
                _buffer ??= new double[p.Length];
                // First step: buf = d (no dampening); later buf = μ·buf + (1 − τ)·d.
                _buffer[i] = _firstDone ? momentum * _buffer[i] + (1 - dampening) * d : d;
                d = nesterov ? d + momentum * _buffer[i] : _buffer[i];
            }
            p[i] -= lr * d;
        }
        _firstDone = true;
    }

    /// <summary>A fresh start of element <paramref name="i"/>'s momentum: buf = 0, so its next step adds (1 − τ)·d to nothing.</summary>
    public void ResetMomentum(int i) => _buffer![i] = 0;

    private bool _firstDone;
}

internal sealed class AdamReference(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool decoupled = false)
{
    private double[]? _m, _v;
    private int _t;

    /// <summary>m[i] = 0 with v[i] and the shared step count kept.</summary>
    public void ResetFirstMoment(int i) => _m![i] = 0;

    public void Step(double[] p, double[] g)
    {
        _m ??= new double[p.Length];
        _v ??= new double[p.Length];
        _t++;
        for (int i = 0; i < p.Length; i++)
        {
            double d = g[i];
            if (decoupled) p[i] *= 1 - lr * weightDecay;
            else d += weightDecay * p[i];
            _m[i] = beta1 * _m[i] + (1 - beta1) * d;
            _v[i] = beta2 * _v[i] + (1 - beta2) * d * d;
            double mHat = _m[i] / (1 - Math.Pow(beta1, _t));
            double vHat = _v[i] / (1 - Math.Pow(beta2, _t));
            p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
        }
    }
}
