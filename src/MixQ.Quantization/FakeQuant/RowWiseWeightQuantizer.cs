using MixQ.NN.Modules;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Scaling;
using MixQ.Tensors;

namespace MixQ.Quantization;

/// <summary>
/// Holds the per-row formats and scales of one weight and fake-quantizes it (<see cref="FakeQuant.RowWiseWeights(Tensor, IReadOnlyList{NumberFormat}, Tensor, float)"/>).
/// Scales start at each row's MSE-optimal value; with <c>learnScale</c> they are a trainable parameter
/// (LSQ gradient), otherwise a buffer. <see cref="Assign"/> replaces the formats and re-initialises the scales;
/// <see cref="Reassign"/> refreshes an assignment during quantization-aware training, keeping what unchanged rows learned.
/// </summary>
public sealed class RowWiseWeightQuantizer : Module
{
    private NumberFormat[] _formats;
    private float[] _floor = [];

    /// <summary>
    /// A learned scale never goes below this share of its calibrated (MSE-optimal) value: an SGD step larger than
    /// the scale itself (rows of tiny weights, high fine-tuning rates) would otherwise make it zero or negative.
    /// Projecting back onto the allowed set before each use is projected gradient descent.
    /// </summary>
    public const float ScaleFloorShare = 1e-2f;

    public RowWiseWeightQuantizer(Tensor weight, IReadOnlyList<NumberFormat> rowFormats, bool learnScale, float scaleGradientFactor = 1f)
    {
        int rows = WeightRows.Count(weight);
        _formats = [];
        var scale = Tensor.Ones(rows);
        Scale = learnScale ? RegisterParameter("scale", scale) : RegisterBuffer("scale", scale);
        ScaleGradientFactor = scaleGradientFactor;
        Assign(weight, rowFormats);
    }

    /// <summary>Per-row scales alpha, shape [rows].</summary>
    public Tensor Scale { get; }

    public IReadOnlyList<NumberFormat> Formats => _formats;

    /// <summary>Multiplies the LSQ scale gradient (LSQ suggests 1 / sqrt(rowLength * levelsPerSide)).</summary>
    public float ScaleGradientFactor { get; set; }

    /// <summary>New formats for the rows of <paramref name="weight"/>; each scale is reset to its MSE-optimal value.</summary>
    public void Assign(Tensor weight, IReadOnlyList<NumberFormat> rowFormats)
    {
        if (WeightRows.Count(weight) != Scale.Size)
            throw new ArgumentException($"weight has {WeightRows.Count(weight)} rows, this quantizer {Scale.Size}", nameof(weight));
        var result = RowQuantizer.QuantizeRows(weight.Detach(), rowFormats);
        result.Scales.CopyTo(Scale.Span);
        _floor = result.Scales.Select(a => Math.Max(a * ScaleFloorShare, float.Epsilon)).ToArray();
        _formats = rowFormats.ToArray();
    }

    /// <summary>
    /// A refreshed assignment during training (<c>--reassign-every</c>): rows that change format start from their
    /// MSE-optimal scale in the new format; with learned scales, rows that keep their format keep the scale (and floor)
    /// they have learned, which a reset would throw away for nothing. Without learned scales every row takes the
    /// MSE-optimal scale of its current weights, as at the start. Returns the rows whose format changed (ascending):
    /// their learned scales start over, so an optimizer should forget their momentum.
    /// </summary>
    public int[] Reassign(Tensor weight, IReadOnlyList<NumberFormat> rowFormats)
    {
        var previous = _formats;
        var learned = Scale.Span.ToArray();
        var floors = _floor;
        Assign(weight, rowFormats);
        var changed = Enumerable.Range(0, previous.Length).Where(r => previous[r] != _formats[r]).ToArray();
        if (!Scale.RequiresGrad) return changed;
        var scale = Scale.Span;
        for (int r = 0; r < previous.Length; r++)
        {
            if (previous[r] != _formats[r]) continue;
            scale[r] = learned[r];
            _floor[r] = floors[r];
        }
        return changed;
    }

    /// <summary>Lifts learned scales that an optimizer step pushed below their floor back onto it (NaN and infinity stay, and are reported).</summary>
    private void ProjectScales()
    {
        if (!Scale.RequiresGrad) return;
        var s = Scale.Span;
        for (int r = 0; r < s.Length; r++)
            if (s[r] < _floor[r]) s[r] = _floor[r];
    }

    /// <summary>The fake-quantized weight (same shape as <paramref name="input"/>, the layer's weight).</summary>
    public override Tensor Forward(Tensor input)
    {
        ProjectScales();
        return FakeQuant.RowWiseWeights(input, _formats, Scale, ScaleGradientFactor);
    }
}
