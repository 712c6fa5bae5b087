using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MixQ.Quantization.Observers;

/// <summary>Running minimum and maximum; threshold = max|x| (signed) or max(max x, 0) (unsigned).</summary>
public sealed class MinMaxObserver(bool signed) : RangeObserver(signed)
{
    public float Min { get; private set; } = float.PositiveInfinity;
    public float Max { get; private set; } = float.NegativeInfinity;

    public override void Observe(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (float.IsNaN(v)) continue;
            Count++;
            if (v < Min) Min = v;
            if (v > Max) Max = v;
        }
    }

    public override float Threshold()
    {
        if (Count == 0) return 0f;
        return Signed ? MathF.Max(MathF.Abs(Min), MathF.Abs(Max)) : MathF.Max(Max, 0f);
    }

    public override void Reset()
    {
        Count = 0;
        Min = float.PositiveInfinity;
        Max = float.NegativeInfinity;
    }
}
