using MixQ.NN.Data;
using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The batch loop the agreement checks share (<see cref="IntegerAgreement"/> for row-wise QAT models,
/// <see cref="HgqIntegerAgreement"/> for HGQ models): runs the fake-quantized model and the integer engine on the same
/// batches, compares the input codes of every probed layer, the predictions and, when asked, every output exactly.
/// The checks differ only in how a float layer input becomes codes, which each passes in as a <see cref="Probe"/>.
/// </summary>
internal static class AgreementLoop
{
    /// <summary>A compared layer: its float module and the function that turns its float input into the integer codes the integer layer should see.</summary>
    internal sealed record Probe(string Name, QuantizableLayer Layer, Func<ReadOnlySpan<float>, long[]> Codes);

    /// <summary>Index of the integer Dense/Conv2d named <paramref name="name"/>; a model exported from another checkpoint is one clear error.</summary>
    internal static int MatrixLayer(IntegerModel integer, string name)
    {
        for (int i = 0; i < integer.Layers.Count; i++)
            if (integer.Layers[i] is IntDense or IntConv2d && integer.Layers[i].Name == name) return i;
        throw new MixQException($"integer model has no layer '{name}' (was it exported from this checkpoint?)");
    }

    /// <param name="exactOutputs">Also compare every output value: integer logit times <see cref="IntegerModel.OutputScale"/> against the float output.</param>
    internal static AgreementReport Run(Module model, IntegerModel integer, Dataset data, int batchSize, IReadOnlyList<Probe> probes, bool exactOutputs)
    {
        var engine = new IntegerEngine(integer);
        var stats = probes.Select(_ => new long[3]).ToArray(); // codes, different, max difference
        var fakeCodes = new long[probes.Count][];
        var intCodes = new long[probes.Count][];
        var position = new Dictionary<int, int>();   // integer layer feeding a probed layer -> probe
        for (int q = 0; q < probes.Count; q++)
        {
            position[MatrixLayer(integer, probes[q].Name) - 1] = q;
            int index = q;
            var codes = probes[q].Codes;
            probes[q].Layer.InputProbe = t => fakeCodes[index] = codes(t.Contiguous().Span);
        }
        engine.Trace = (layer, values, _) =>
        {
            if (position.TryGetValue(layer, out int q)) intCodes[q] = values;
        };

        int identical = 0, fakeCorrect = 0, intCorrect = 0, identicalSamples = 0, k = integer.NumClasses;
        long differentOutputs = 0;
        var mismatches = new List<PredictionMismatch>();
        bool training = model.Training;
        model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            using var recycler = Graph.BatchRecycler();
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                // The probes copy the codes they compare; the batch's activations can go back to the pool.
                using var window = recycler.Batch();
                var features = data.Features.AsSpan(start * data.SampleSize, n * data.SampleSize).ToArray();
                var fake = model.Forward(Tensor.FromArray(features, [n, .. data.SampleShape])).ToArray();
                var logits = engine.Logits(features, n);
                if (fake.Length != logits.Length)
                    throw new MixQException($"the integer model gives {logits.Length / n} outputs per sample, the fake-quantized model {fake.Length / n}");
                for (int q = 0; q < probes.Count; q++)
                {
                    var a = fakeCodes[q];
                    var b = intCodes[q];
                    if (a is null || b is null || a.Length != b.Length) throw new MixQException($"layer '{probes[q].Name}': could not compare input codes");
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
                    if (exactOutputs)
                    {
                        int differing = 0;
                        for (int c = 0; c < k; c++)
                            if ((double)fake[i * k + c] != logits[i * k + c] * integer.OutputScale) differing++;
                        differentOutputs += differing;
                        if (differing == 0) identicalSamples++;
                    }
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
            foreach (var p in probes) p.Layer.InputProbe = null;
            model.Train(training);
        }
        double count = Math.Max(1, data.Count);
        return new AgreementReport(data.Count, identical, fakeCorrect / count, intCorrect / count,
            probes.Select((p, q) => new LayerCodeAgreement(p.Name, stats[q][0], stats[q][1], stats[q][2])).ToList(), mismatches,
            exactOutputs ? new OutputAgreement((long)data.Count * k, differentOutputs, identicalSamples) : null);
    }

    private static int ArgMax<T>(ReadOnlySpan<T> values) where T : IComparable<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i].CompareTo(values[best]) > 0) best = i;
        return best;
    }
}
