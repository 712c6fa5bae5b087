using MixQ.NN.Data;
using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Quantization.Qat;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Integer;

/// <summary>
/// Runs a fake-quantized model and its integer model side by side on a data set and compares predictions and the
/// input codes of every quantized layer (the fake model's codes are its layer inputs passed through the same
/// quantizer formula; the integer model's are the tensors that enter its Dense/Conv2d layers).
/// </summary>
public static class IntegerAgreement
{
    public static AgreementReport Compare(Module fakeQuant, IntegerModel integer, Dataset data, int batchSize = 256)
    {
        var layers = QatModel.Layers(fakeQuant);
        var engine = new IntegerEngine(integer);
        var matrixIndex = integer.Layers.Select((l, i) => (l, i)).Where(p => p.l is IntDense or IntConv2d)
            .ToDictionary(p => p.l.Name, p => p.i);
        var stats = layers.Select(l => new long[3]).ToArray(); // codes, different, max difference
        var fakeCodes = new long[layers.Count][];
        var intCodes = new long[layers.Count][];
        var position = new Dictionary<int, int>();
        for (int q = 0; q < layers.Count; q++)
        {
            if (!matrixIndex.TryGetValue(layers[q].Name, out int at))
                throw new MixQException($"integer model has no layer '{layers[q].Name}' (was it exported from this checkpoint?)");
            position[at - 1] = q;
            int index = q;
            var layer = layers[q].Layer;
            var quantizer = (ActivationQuantizer)layer.InputQuantizer!;
            layer.InputProbe = t =>
            {
                var codes = new InputQuantization(quantizer.Clip.Contiguous().Span[0], new ActivationCodes(quantizer.Config.Bits, quantizer.Config.Signed));
                var span = t.Contiguous().Span;
                var result = new long[span.Length];
                codes.Quantize(span, result);
                fakeCodes[index] = result;
            };
        }
        engine.Trace = (layer, values, _) =>
        {
            if (position.TryGetValue(layer, out int q)) intCodes[q] = values;
        };

        int identical = 0, fakeCorrect = 0, intCorrect = 0, k = integer.NumClasses;
        var mismatches = new List<PredictionMismatch>();
        bool training = fakeQuant.Training;
        fakeQuant.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                var features = data.Features.AsSpan(start * data.SampleSize, n * data.SampleSize).ToArray();
                var fake = fakeQuant.Forward(Tensor.FromArray(features, [n, .. data.SampleShape])).ToArray();
                var logits = engine.Logits(features, n);
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
            foreach (var (_, layer) in layers) layer.InputProbe = null;
            fakeQuant.Train(training);
        }
        double count = Math.Max(1, data.Count);
        return new AgreementReport(data.Count, identical, fakeCorrect / count, intCorrect / count,
            layers.Select((l, q) => new LayerCodeAgreement(l.Name, stats[q][0], stats[q][1], stats[q][2])).ToList(), mismatches);
    }

    private static int ArgMax<T>(ReadOnlySpan<T> values) where T : IComparable<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i].CompareTo(values[best]) > 0) best = i;
        return best;
    }
}
