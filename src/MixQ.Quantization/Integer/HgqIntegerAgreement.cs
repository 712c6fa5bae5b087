using MixQ.NN.Data;
using MixQ.NN.Modules;
using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Runs an HGQ model's fake-quantized float forward and its integer model (<see cref="HgqIntegerConverter"/>) side by
/// side and compares every output exactly (integer logit times <see cref="IntegerModel.OutputScale"/>, a power of two,
/// against the float output), the predictions, and the input codes of every Dense/Conv2d: the fake model's layer
/// input through HGQ's own float quantizer (<see cref="FixedPoint.Code"/>), aligned as the integer model aligns it,
/// against the integers that enter the integer layer.
/// </summary>
public static class HgqIntegerAgreement
{
    public static AgreementReport Compare(Module hgqModel, IntegerModel integer, Dataset data, int batchSize = 256)
    {
        var probes = HgqModel.Layers(hgqModel).Select(l =>
        {
            var aligned = FeedingFormats(integer, AgreementLoop.MatrixLayer(integer, l.Name));
            var formats = l.Input.Formats();
            int group = l.Input.GroupSpan;
            var config = l.Input.Config;
            return new AgreementLoop.Probe(l.Name, l.Layer, input =>
            {
                var result = new long[input.Length];
                int size = aligned.Count;
                for (int i = 0; i < result.Length; i++)
                {
                    int e = i % size;
                    result[i] = aligned.Widths[e] == 0 ? 0 : FixedPoint.Code(input[i], formats[e / group], config.Rounding, config.Overflow) << aligned.Aligns[e];
                }
                return result;
            });
        }).ToList();
        return AgreementLoop.Run(hgqModel, integer, data, batchSize, probes, exactOutputs: true);
    }

    /// <summary>The per-element formats that produce the input of integer layer <paramref name="at"/> (the entrance or a shift_requantize).</summary>
    private static ElementFormats FeedingFormats(IntegerModel integer, int at)
    {
        for (int l = at - 1; l >= 0; l--)
        {
            switch (integer.Layers[l])
            {
                case IntShiftRequantize q: return q.Formats;
                case IntFlatten: continue;
                default: throw new MixQException($"integer layer '{integer.Layers[at].Name}' is not fed by a shift_requantize (not an HGQ integer model)");
            }
        }
        return integer.Input is FixedPointEntrance f ? f.Formats : throw new MixQException("the integer model has no fixed-point entrance (not an HGQ integer model)");
    }
}
