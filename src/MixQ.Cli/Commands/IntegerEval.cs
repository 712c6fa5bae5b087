using System.Diagnostics;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.NN.Data;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;
using MixQ.Quantization.Qat;

namespace MixQ.Cli.Commands;

/// <summary>`mixq eval --integer DIR`: test accuracy of an exported integer model, optionally compared with its checkpoint.</summary>
internal static class IntegerEval
{
    public static int Run(string folder, string data, string? compare, bool json)
    {
        var model = IntegerModelFile.Load(folder);
        var split = DataRegistry.Load(data, new DataOptions(), msg => Console.Error.WriteLine(msg));
        var test = split.Test;
        if (!test.SampleShape.AsSpan().SequenceEqual(model.InputShape) || test.NumClasses > model.NumClasses)
            throw new MixQException($"integer model {folder} takes [{string.Join(", ", model.InputShape)}] with {model.NumClasses} classes; " +
                                    $"{test.Name} has [{string.Join(", ", test.SampleShape)}] with {test.NumClasses} classes");
        var engine = new IntegerEngine(model);
        var clock = Stopwatch.StartNew();
        var predictions = engine.Predict(test.Features, test.Count);
        double seconds = clock.Elapsed.TotalSeconds;
        int correct = predictions.Where((p, i) => p == test.Labels[i]).Count();
        double accuracy = test.Count == 0 ? double.NaN : (double)correct / test.Count;
        Console.WriteLine($"{model.ModelName} ({model.Method}, integer engine, {Int8Gemm.Path}) on {test.Name}: test accuracy {accuracy:P2} " +
                          $"({test.Count} samples, {test.Count / seconds:F0} samples/s)");
        var result = new JsonObject
        {
            ["model"] = model.ModelName,
            ["method"] = model.Method,
            ["engine"] = "integer",
            ["test_accuracy"] = accuracy,
            ["samples"] = test.Count,
            ["seconds"] = seconds,
        };
        if (compare is not null)
        {
            if (!File.Exists(compare)) throw new MixQException($"checkpoint {compare} does not exist");
            // HGQ models are compared output for output (they must be identical); row-wise ones by prediction.
            var report = HgqJob.IsHgq(compare)
                ? HgqIntegerAgreement.Compare(HgqJob.Load(compare).Model, model, test)
                : IntegerAgreement.Compare(QuantizeJob.LoadQuantized(compare).Model, model, test);
            Console.WriteLine($"fake-quantized {compare}: test accuracy {report.FakeQuantAccuracy:P2}; identical predictions " +
                              $"{report.IdenticalPredictions}/{report.Samples} ({report.PredictionAgreement:P3})");
            if (report.Outputs is { } o)
            {
                Console.WriteLine($"identical outputs: {o.IdenticalSamples}/{report.Samples} samples ({(double)o.IdenticalSamples / Math.Max(1, report.Samples):P2}); " +
                                  $"{o.Different} of {o.Compared} outputs differ");
                result["identical_output_samples"] = o.IdenticalSamples;
                result["differing_outputs"] = o.Different;
                result["compared_outputs"] = o.Compared;
            }
            foreach (var l in report.Layers)
                Console.WriteLine($"  layer {l.Layer}: {l.Different} of {l.Codes} input codes differ (max by {l.MaxDifference})");
            foreach (var m in report.Mismatches.Take(20))
                Console.WriteLine($"  sample {m.Sample}: fake-quant {m.FakeQuantClass}, integer {m.IntegerClass} (fake logit gap {m.FakeQuantLogitGap:G3})");
            result["fake_quant_accuracy"] = report.FakeQuantAccuracy;
            result["identical_predictions"] = report.IdenticalPredictions;
            result["prediction_agreement"] = report.PredictionAgreement;
            result["differing_codes"] = report.Layers.Sum(l => l.Different);
            result["compared_codes"] = report.Layers.Sum(l => l.Codes);
        }
        if (json) JsonLine.Write(result);
        return 0;
    }
}
