using MixQ.NN.Data;
using MixQ.NN.Modules;
using MixQ.NN.Training;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Hgq.Integer;

/// <summary>Runs both evaluations on a data set and counts every output that is not bit-identical.</summary>
public static class HgqBitExactness
{
    public static BitExactnessReport Check(Module model, Dataset data, int batchSize = 256)
    {
        var integer = HgqIntegerModel.FromModel(model, data.SampleShape);
        var counters = new HgqIntegerCounters();
        bool wasTraining = model.Training;
        model.Eval();
        int samples = 0, mismatchedSamples = 0, predictionsDiffering = 0, integerCorrect = 0, floatCorrect = 0;
        long mismatchedOutputs = 0;
        try
        {
            using var _ = GradMode.NoGrad();
            var loader = new DataLoader(data, batchSize, shuffle: false);
            using var recycler = Graph.BatchRecycler();
            foreach (var (inputs, labels) in loader.Batches(0))
            {
                using var window = recycler.Batch(); // opened after the loader's batch, as in the Evaluator
                var logits = model.Forward(inputs).Contiguous();
                var outputs = integer.Run(inputs, counters);
                int classes = logits.Size / labels.Length;
                var f = logits.Span;
                for (int n = 0; n < labels.Length; n++)
                {
                    var o = outputs[n];
                    if (o.Size != classes) throw new InvalidOperationException($"integer model gives {o.Size} outputs, float {classes}");
                    int bad = 0, argFloat = 0, argInt = 0;
                    for (int c = 0; c < classes; c++)
                    {
                        double fv = f[n * classes + c], iv = o.ValueAt(c);
                        if (fv != iv) bad++;
                        if (fv > f[n * classes + argFloat]) argFloat = c;
                        if (iv > o.ValueAt(argInt)) argInt = c;
                    }
                    samples++;
                    mismatchedOutputs += bad;
                    if (bad > 0) mismatchedSamples++;
                    if (argFloat != argInt) predictionsDiffering++;
                    if (argInt == labels[n]) integerCorrect++;
                    if (argFloat == labels[n]) floatCorrect++;
                }
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return new BitExactnessReport(samples, mismatchedSamples, mismatchedOutputs, predictionsDiffering,
            samples == 0 ? double.NaN : (double)integerCorrect / samples, samples == 0 ? double.NaN : (double)floatCorrect / samples, counters);
    }
}
