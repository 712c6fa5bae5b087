using MixQ.Hardware.Cost;
using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Quantization;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Estimate;

/// <summary>
/// The quantized weights of a model as integer magnitudes on each row's format grid (<see cref="IntegerLevels"/>):
/// what a fully unrolled design bakes into its logic. Recovered from the fake-quantized weight and the row scale
/// (each value is scale x level, so value / scale is the level, rounded to the nearest one of the format).
/// </summary>
public sealed class WeightLevels
{
    internal WeightLevels(string layer, NumberFormat[] formats, long[][] magnitudes)
    {
        Layer = layer;
        RowFormats = formats;
        _magnitudes = magnitudes;
    }

    private readonly long[][] _magnitudes;

    public string Layer { get; }

    public IReadOnlyList<NumberFormat> RowFormats { get; }

    /// <summary>Integer magnitude of each weight of row <paramref name="row"/> (PoT rows: 1 for a non-zero weight, its shift is free).</summary>
    public ReadOnlySpan<long> Row(int row) => _magnitudes[row];

    /// <summary>Non-zero bit span of each weight magnitude (EBOPs count weight bits this way, methods.md §4).</summary>
    public static int Span(NumberFormat format, long magnitude)
    {
        if (magnitude == 0) return 0;
        if (format.Scheme == QuantScheme.PowerOfTwo) return 1;
        int high = 63 - (int)ulong.LeadingZeroCount((ulong)magnitude);
        int low = (int)ulong.TrailingZeroCount((ulong)magnitude);
        return high - low + 1;
    }

    /// <summary>Levels of every quantized layer of a model loaded with its quantizers (<see cref="QuantizeJob.LoadQuantized"/>).</summary>
    public static IReadOnlyList<WeightLevels> FromModel(Module model, QuantizationPlan plan)
    {
        var targets = QuantTarget.Find(model);
        var result = new List<WeightLevels>();
        foreach (var target in targets)
        {
            var layer = (QuantizableLayer)target.Module;
            if (layer.WeightQuantizer is not RowWiseWeightQuantizer quantizer)
                throw new MixQException($"layer {target.Name} has no row-wise weight quantizer: estimate needs a checkpoint written by mixq quantize");
            var planLayer = plan[target.Name];
            var weight = layer.EffectiveWeight().ToArray();
            var scales = quantizer.Scale.ToArray();
            int rows = planLayer.Rows, len = planLayer.RowLength;
            var mags = new long[rows][];
            var formats = planLayer.RowFormats.ToArray();
            for (int r = 0; r < rows; r++)
            {
                var format = formats[r];
                var levels = format.Levels.Magnitudes;
                long[] integers = format.Scheme == QuantScheme.PowerOfTwo ? [] : IntegerLevels.Magnitudes(format);
                mags[r] = new long[len];
                for (int i = 0; i < len; i++)
                {
                    double q = scales[r] == 0 ? 0 : Math.Abs(weight[r * len + i] / scales[r]);
                    int index = Nearest(levels, q);
                    mags[r][i] = index == 0 ? 0 : format.Scheme == QuantScheme.PowerOfTwo ? 1 : integers[index - 1];
                }
            }
            result.Add(new WeightLevels(target.Name, formats, mags));
        }
        return result;
    }

    private static int Nearest(ReadOnlySpan<float> ascending, double value)
    {
        int best = 0;
        double bestDistance = double.MaxValue;
        for (int i = 0; i < ascending.Length; i++)
        {
            double d = Math.Abs(ascending[i] - value);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = i;
            }
        }
        return best;
    }
}
