namespace MixQ.Quantization.Hgq.Integer;

/// <summary>
/// Max pooling on [C, H, W] integers. Elements may sit on different grids, so they are compared exactly after
/// aligning to the finer grid; the winner keeps its own code and grid. Padding never wins (like -infinity).
/// </summary>
public sealed class HgqIntegerMaxPool2d(int kernelSize, int stride, int padding) : HgqIntegerStage
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride;
    public int Padding { get; } = padding;

    public override string Describe() => $"maxpool k{KernelSize} s{Stride}";

    public override FixedTensor Apply(FixedTensor x, HgqIntegerCounters counters)
    {
        int channels = x.Shape[0], height = x.Shape[1], width = x.Shape[2];
        int outH = (height + 2 * Padding - KernelSize) / Stride + 1, outW = (width + 2 * Padding - KernelSize) / Stride + 1;
        var values = new long[channels * outH * outW];
        var frac = new int[values.Length];
        for (int c = 0; c < channels; c++)
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        {
            int best = -1;
            for (int ky = 0; ky < KernelSize; ky++)
            {
                int iy = oy * Stride + ky - Padding;
                if (iy < 0 || iy >= height) continue;
                for (int kx = 0; kx < KernelSize; kx++)
                {
                    int ix = ox * Stride + kx - Padding;
                    if (ix < 0 || ix >= width) continue;
                    int i = (c * height + iy) * width + ix;
                    if (best < 0 || Greater(x, i, best)) best = i;
                }
            }
            int o = (c * outH + oy) * outW + ox;
            values[o] = x.Values[best];
            frac[o] = x.FractionalBits[best];
        }
        return new FixedTensor(values, frac, [channels, outH, outW]);
    }

    private static bool Greater(FixedTensor x, int i, int j)
    {
        int fi = x.FractionalBits[i], fj = x.FractionalBits[j], f = Math.Max(fi, fj);
        Int128 a = (Int128)x.Values[i] << (f - fi), b = (Int128)x.Values[j] << (f - fj);
        return a > b;
    }
}
