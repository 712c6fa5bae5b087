namespace MixQ.Quantization.Hgq.Integer;

/// <summary>
/// A Conv2d layer in integers ([C, H, W] per sample, square kernels, zero padding, groups): as
/// <see cref="HgqIntegerDense"/> at every output position, with accumulator grid 2^-E per output channel.
/// Weight codes are laid out [out, in/groups, k, k] like the float weight.
/// </summary>
public sealed class HgqIntegerConv2d(
    HgqActivationFormat input, int[] inputShape, int outChannels, int kernelSize, int stride, int padding, int groups,
    long[] weightCodes, int[] weightFractionalBits, long[] biasCodes, int[] accumulatorFractionalBits) : HgqIntegerStage
{
    public HgqActivationFormat Input { get; } = input;
    public int[] InputShape { get; } = inputShape;
    public int OutChannels { get; } = outChannels;
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride;
    public int Padding { get; } = padding;
    public int Groups { get; } = groups;
    public long[] WeightCodes { get; } = weightCodes;
    public int[] WeightFractionalBits { get; } = weightFractionalBits;
    public long[] BiasCodes { get; } = biasCodes;
    public int[] AccumulatorFractionalBits { get; } = accumulatorFractionalBits;

    public override string Describe() => $"conv {InputShape[0]}->{OutChannels} k{KernelSize} s{Stride} p{Padding}";

    public override FixedTensor Apply(FixedTensor x, HgqIntegerCounters counters)
    {
        var (a, fa) = Input.Quantize(x);
        int channels = InputShape[0], height = InputShape[1], width = InputShape[2], k = KernelSize;
        int outH = (height + 2 * Padding - k) / Stride + 1, outW = (width + 2 * Padding - k) / Stride + 1;
        int inPerGroup = channels / Groups, outPerGroup = OutChannels / Groups;
        var y = new long[OutChannels * outH * outW];
        var frac = new int[y.Length];
        long risks = 0, skipped = 0, multiplications = 0;
        for (int co = 0; co < OutChannels; co++)
        {
            int e = AccumulatorFractionalBits[co], group = co / outPerGroup;
            for (int oy = 0; oy < outH; oy++)
            for (int ox = 0; ox < outW; ox++)
            {
                long acc = BiasCodes[co];
                long magnitude = Math.Abs(acc);
                for (int ci = 0; ci < inPerGroup; ci++)
                {
                    int channel = group * inPerGroup + ci;
                    for (int ky = 0; ky < k; ky++)
                    {
                        int iy = oy * Stride + ky - Padding;
                        if (iy < 0 || iy >= height) continue;
                        for (int kx = 0; kx < k; kx++)
                        {
                            int ix = ox * Stride + kx - Padding;
                            if (ix < 0 || ix >= width) continue;
                            multiplications++;
                            int wi = ((co * inPerGroup + ci) * k + ky) * k + kx;
                            int ai = (channel * height + iy) * width + ix;
                            long w = WeightCodes[wi];
                            if (w == 0 || a[ai] == 0) { skipped++; continue; }
                            long product = checked(a[ai] * w * (1L << (e - fa[ai] - WeightFractionalBits[wi])));
                            acc = checked(acc + product);
                            magnitude += Math.Abs(product);
                        }
                    }
                }
                if (magnitude >= 1L << 24) risks++;
                int o = (co * outH + oy) * outW + ox;
                y[o] = acc;
                frac[o] = e;
            }
        }
        counters.Float32Risks += risks;
        counters.SkippedMultiplications += skipped;
        counters.Multiplications += multiplications;
        return new FixedTensor(y, frac, [OutChannels, outH, outW]);
    }
}
