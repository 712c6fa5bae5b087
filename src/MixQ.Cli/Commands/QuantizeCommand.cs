using System.CommandLine;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.Plans;
using MixQ.Quantization.Qat;

namespace MixQ.Cli.Commands;

/// <summary>`mixq quantize`: row-wise mixed-scheme/precision quantization-aware fine-tuning of a float checkpoint.</summary>
public static class QuantizeCommand
{
    public static Command Build()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Float checkpoint written by mixq train", Required = true };
        var data = new Option<string>("--data") { Description = "Data set the model was trained on (name or path)", Required = true };
        var method = new Option<string>("--method") { Description = "fixed, pot, sp2, msq, rmsmp, ilmpq or hgq", Required = true };
        var ratio = new Option<string?>("--ratio") { Description = "Per-layer row mix, e.g. sp2-4:60,fixed-4:35,fixed-8:5 (default: the method's)" };
        var wbits = new Option<int>("--wbits") { Description = "Weight bits for fixed, pot and sp2", DefaultValueFactory = _ => 4 };
        var abits = new Option<int>("--abits") { Description = "Activation bits (the first layer's input uses 8)", DefaultValueFactory = _ => 4 };
        var rule = new Option<string?>("--rule") { Description = "Row assignment: error, variance, kurtosis, hessian or random (default: error; hessian for rmsmp/ilmpq)" };
        var edges = new Option<string>("--first-last") { Description = "Format of the first and last layers, or 'mix'", DefaultValueFactory = _ => "fixed-8" };
        var epochs = new Option<int>("--epochs") { Description = "Fine-tuning epochs (0: calibrate only)", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double?>("--lr") { Description = "Fine-tuning learning rate (default: a tenth of the float recipe)" };
        var reassign = new Option<int>("--reassign-every") { Description = "Re-run the row assignment every N epochs (0: never)", DefaultValueFactory = _ => 0 };
        var fixedScales = new Option<bool>("--fixed-scales") { Description = "Keep per-row scales at their MSE-optimal start instead of learning them" };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "runs/quantize" };
        var limitTrain = new Option<int>("--limit-train") { Description = "Use only the first N training samples", DefaultValueFactory = _ => 0 };
        var limitTest = new Option<int>("--limit-test") { Description = "Use only the first N test samples", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line" };
        var command = new Command("quantize", "Quantize a float checkpoint with row-wise mixed schemes and precisions, or learned per-weight bit widths (hgq)")
        {
            checkpoint, data, method, ratio, wbits, abits, rule, edges, epochs, batch, lr, reassign, fixedScales, seed, outDir,
            limitTrain, limitTest, json,
        };
        var hgq = new HgqQuantizeOptions();
        foreach (var option in hgq.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            if (string.Equals(parse.GetRequiredValue(method), "hgq", StringComparison.OrdinalIgnoreCase))
            {
                var hgqOptions = hgq.Read(parse, parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(seed),
                    parse.GetValue(limitTrain), parse.GetValue(limitTest));
                return HgqQuantizeOptions.Run(hgqOptions, parse.GetRequiredValue(checkpoint), parse.GetRequiredValue(data), parse.GetValue(outDir), parse.GetValue(json));
            }
            string? ruleText = parse.GetValue(rule);
            var options = new QuantizeOptions
            {
                Method = parse.GetRequiredValue(method),
                Ratio = parse.GetValue(ratio),
                WeightBits = parse.GetValue(wbits),
                ActivationBits = parse.GetValue(abits),
                Rule = ruleText is null ? null : AssignmentRules.Parse(ruleText, "--rule"),
                EdgeFormat = parse.GetValue(edges)!,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                ReassignEvery = parse.GetValue(reassign),
                LearnScales = !parse.GetValue(fixedScales),
                Seed = parse.GetValue(seed),
                LimitTrainSamples = parse.GetValue(limitTrain),
                LimitTestSamples = parse.GetValue(limitTest),
            };
            QuantizeJob.Resolve(options); // reject a bad method, ratio or bit width before any data is read
            bool asJson = parse.GetValue(json);
            var ui = new TrainingConsole(quiet: asJson);
            QuantizeResult? result = null;
            ui.Run(observer =>
            {
                result = new QuantizeJob(options, observer).Run(parse.GetRequiredValue(checkpoint), parse.GetRequiredValue(data), parse.GetValue(outDir));
                return new NN.Training.TrainResult(result.Epochs, result.TestAccuracy, double.NaN, result.Seconds, result.SamplesPerSecond, result.CheckpointPath, 0);
            });
            var r = result!;
            ui.Lines(PlanSummary.Of(r.Plan).Render());
            ui.Line($"{r.Method}: float {r.FloatAccuracy:P2} -> calibrated {r.PostTrainingAccuracy:P2} -> fine-tuned {r.TestAccuracy:P2} " +
                    $"at {r.AverageWeightBits:F3} average weight bits ({r.Seconds:F1} s)" + (r.CheckpointPath is null ? "" : $"; saved {r.CheckpointPath}"));
            if (asJson)
            {
                JsonLine.Write(new JsonObject
                {
                    ["method"] = r.Method,
                    ["mix"] = r.Plan.Mix.ToString(),
                    ["rule"] = AssignmentRules.Name(r.Plan.Rule),
                    ["test_accuracy"] = r.TestAccuracy,
                    ["float_accuracy"] = r.FloatAccuracy,
                    ["calibrated_accuracy"] = r.PostTrainingAccuracy,
                    ["average_weight_bits"] = r.AverageWeightBits,
                    ["activation_bits"] = r.Plan.ActivationBits,
                    ["epochs"] = r.Epochs.Count,
                    ["seconds"] = r.Seconds,
                    ["samples_per_second"] = r.SamplesPerSecond,
                    ["checkpoint"] = r.CheckpointPath,
                });
            }
            return 0;
        });
        return command;
    }
}
