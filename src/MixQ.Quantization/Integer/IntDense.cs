namespace MixQ.Quantization.Integer;

/// <summary>
/// acc[n, o] = Σ_i x[n, i] * v[o, i] + Bias[o]: input codes times integer multiplicands (<see cref="IntegerWeights"/>),
/// accumulated exactly. <see cref="AccumulatorBits"/> (sign included) bounds |acc| for every input in range, so
/// 32-bit accumulation is exact whenever it is at most 32. Bias is already in accumulator units.
/// </summary>
public sealed record IntDense(string Name, IntegerWeights Weights, long[] Bias, ActivationCodes Input, int AccumulatorBits) : IntLayer(Name)
{
    public override string Op => "dense";

    public int InFeatures => Weights.RowLength;
    public int OutFeatures => Weights.Rows;

    public override int[] OutputShape(int[] inputShape) =>
        inputShape.Length == 1 && inputShape[0] == InFeatures ? [OutFeatures] : throw Mismatch(inputShape, $"[{InFeatures}]");
}
