namespace MixQ.Quantization.Hgq.Integer;

/// <summary>
/// A Dense layer in integers: y_j = Σ_i a_i w_ji + b_j with a_i = <see cref="Input"/> codes (fractional bits fa_i),
/// w_ji = <see cref="WeightCodes"/> (fractional bits <see cref="WeightFractionalBits"/>), and the result in an int64
/// accumulator on the grid 2^-E_j (<see cref="AccumulatorFractionalBits"/>): each product is shifted left by
/// E_j - fa_i - fw_ji (never negative) and the bias is the accumulator code <see cref="BiasCodes"/>[j].
/// </summary>
public sealed class HgqIntegerDense(
    HgqActivationFormat input, int outFeatures, int inFeatures, long[] weightCodes, int[] weightFractionalBits,
    long[] biasCodes, int[] accumulatorFractionalBits) : HgqIntegerStage
{
    public HgqActivationFormat Input { get; } = input;
    public int OutFeatures { get; } = outFeatures;
    public int InFeatures { get; } = inFeatures;
    public long[] WeightCodes { get; } = weightCodes;
    public int[] WeightFractionalBits { get; } = weightFractionalBits;
    public long[] BiasCodes { get; } = biasCodes;
    public int[] AccumulatorFractionalBits { get; } = accumulatorFractionalBits;

    public override string Describe() => $"dense {InFeatures}->{OutFeatures}";

    public override FixedTensor Apply(FixedTensor x, HgqIntegerCounters counters)
    {
        var (a, fa) = Input.Quantize(x);
        var y = new long[OutFeatures];
        long skipped = 0, risks = 0;
        for (int j = 0; j < OutFeatures; j++)
        {
            int e = AccumulatorFractionalBits[j];
            long acc = BiasCodes[j];
            long magnitude = Math.Abs(acc);
            int row = j * InFeatures;
            for (int i = 0; i < InFeatures; i++)
            {
                long w = WeightCodes[row + i];
                if (w == 0 || a[i] == 0) { skipped++; continue; }
                long product = checked(a[i] * w * (1L << (e - fa[i] - WeightFractionalBits[row + i])));
                acc = checked(acc + product);
                magnitude += Math.Abs(product);
            }
            if (magnitude >= 1L << 24) risks++;
            y[j] = acc;
        }
        counters.SkippedMultiplications += skipped;
        counters.Multiplications += (long)OutFeatures * InFeatures;
        counters.Float32Risks += risks;
        return new FixedTensor(y, (int[])AccumulatorFractionalBits.Clone(), [OutFeatures]);
    }
}
