using MixQ.NN.Data;
using MixQ.NN.Modules;
using MixQ.Quantization.Hgq;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

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
        var layers = HgqModel.Layers(hgqModel);
        var engine = new IntegerEngine(integer);
        var matrixIndex = integer.Layers.Select((l, i) => (l, i)).Where(p => p.l is IntDense or IntConv2d).ToDictionary(p => p.l.Name, p => p.i);
        var stats = layers.Select(_ => new long[3]).ToArray(); // codes, different, max difference
        var fakeCodes = new long[layers.Count][];
        var intCodes = new long[layers.Count][];
        var position = new Dictionary<int, int>();
        for (int q = 0; q < layers.Count; q++)
        {
            if (!matrixIndex.TryGetValue(layers[q].Name, out int at))
                throw new MixQException($"integer model has no layer '{layers[q].Name}' (was it exported from this checkpoint?)");
            position[at - 1] = q;
            var aligned = FeedingFormats(integer, at);
            var formats = layers[q].Input.Formats();
            int span = layers[q].Input.GroupSpan, index = q;
            var config = layers[q].Input.Config;
            layers[q].Layer.InputProbe = t =>
            {
                var span0 = t.Contiguous().Span;
                var result = new long[span0.Length];
                int size = aligned.Count;
                for (int i = 0; i < result.Length; i++)
                {
                    int e = i % size;
                    result[i] = aligned.Widths[e] == 0 ? 0 : FixedPoint.Code(span0[i], formats[e / span], config.Rounding, config.Overflow) << aligned.Aligns[e];
                }
                fakeCodes[index] = result;
            };
        }
        engine.Trace = (layer, values, _) =>
        {
            if (position.TryGetValue(layer, out int q)) intCodes[q] = values;
        };

        int identical = 0, fakeCorrect = 0, intCorrect = 0, identicalSamples = 0, k = integer.NumClasses;
        long differentOutputs = 0;
        var mismatches = new List<PredictionMismatch>();
        bool training = hgqModel.Training;
        hgqModel.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                var features = data.Features.AsSpan(start * data.SampleSize, n * data.SampleSize).ToArray();
                var fake = hgqModel.Forward(Tensor.FromArray(features, [n, .. data.SampleShape])).ToArray();
                var logits = engine.Logits(features, n);
                if (fake.Length != logits.Length) throw new MixQException($"the integer model gives {logits.Length / n} outputs per sample, the HGQ model {fake.Length / n}");
                for (int q = 0; q < layers.Count; q++)
                {
                    var a = fakeCodes[q];
                    var b = intCodes[q];
                    if (a is null || b is null || a.Length != b.Length) throw new MixQException($"layer '{layers[q].Name}': could not compare input codes");
                    for (int i = 0; i < a.Length; i++)
                    {
                        long d = Math.Abs(a[i] - b[i]);
                        if (d != 0) stats[q][1]++;
                        stats[q][2] = Math.Max(stats[q][2], d);
                    }
                    stats[q][0] += a.Length;
                }
                for (int i = 0; i < n; i++)
                {
                    int differing = 0;
                    for (int c = 0; c < k; c++)
                        if ((double)fake[i * k + c] != logits[i * k + c] * integer.OutputScale) differing++;
                    differentOutputs += differing;
                    if (differing == 0) identicalSamples++;
                    int f = ArgMax(fake.AsSpan(i * k, k)), g = ArgMax(logits.AsSpan(i * k, k));
                    int label = data.Labels[start + i];
                    if (f == label) fakeCorrect++;
                    if (g == label) intCorrect++;
                    if (f == g) identical++;
                    else mismatches.Add(new PredictionMismatch(start + i, f, g, fake[i * k + f] - fake[i * k + g], logits[i * k + g] - logits[i * k + f]));
                }
            }
        }
        finally
        {
            foreach (var l in layers) l.Layer.InputProbe = null;
            hgqModel.Train(training);
        }
        double count = Math.Max(1, data.Count);
        return new AgreementReport(data.Count, identical, fakeCorrect / count, intCorrect / count,
            layers.Select((l, q) => new LayerCodeAgreement(l.Name, stats[q][0], stats[q][1], stats[q][2])).ToList(), mismatches,
            new OutputAgreement((long)data.Count * k, differentOutputs, identicalSamples));
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

    private static int ArgMax<T>(ReadOnlySpan<T> values) where T : IComparable<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i].CompareTo(values[best]) > 0) best = i;
        return best;
    }
}
