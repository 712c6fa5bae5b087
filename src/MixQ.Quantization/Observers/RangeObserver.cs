using MixQ.Tensors;

namespace MixQ.Quantization.Observers;

/// <summary>
/// Collects statistics of a tensor over calibration batches and turns them into a clipping threshold
/// (PyTorch style: observers only watch; fake quantizers only quantize). For a signed quantizer the
/// statistic is |x|; for an unsigned one (after ReLU) it is max(x, 0), since negatives clip to 0 anyway.
/// NaN values are ignored.
/// </summary>
public abstract class RangeObserver
{
    protected RangeObserver(bool signed) => Signed = signed;

    public bool Signed { get; }

    /// <summary>How many values have been observed since the last reset.</summary>
    public long Count { get; protected set; }

    public void Observe(Tensor values) => Observe(values.Contiguous().Span);

    public abstract void Observe(ReadOnlySpan<float> values);

    /// <summary>The clipping threshold the statistics suggest; 0 when no positive value was seen.</summary>
    public abstract float Threshold();

    public abstract void Reset();

    /// <summary>The statistic the threshold is taken over.</summary>
    protected float Statistic(float x) => Signed ? MathF.Abs(x) : MathF.Max(x, 0f);
}
