using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.Quantization.Hgq;

namespace MixQ.Cli.Commands;

/// <summary>The options `mixq quantize` adds for <c>--method hgq</c>, and the run itself.</summary>
public sealed class HgqQuantizeOptions
{
    public Option<string> BetaSchedule { get; } = new("--beta-schedule") { Description = "HGQ: beta over the run: constant:B, linear:B0:B1 or log:B0:B1", DefaultValueFactory = _ => "log:1e-7:1e-4" };
    public Option<double?> TargetEbops { get; } = new("--target-ebops") { Description = "HGQ: steer EBOPs toward this value (a controller replaces the schedule)" };
    public Option<double> Gamma { get; } = new("--gamma") { Description = "HGQ: weight of the sum of bit widths in the loss", DefaultValueFactory = _ => 0 };
    public Option<string> Granularity { get; } = new("--granularity") { Description = "HGQ: one f per element, row or layer (weights and activations)", DefaultValueFactory = _ => "element" };
    public Option<string> Rounding { get; } = new("--rounding") { Description = "HGQ: truncate, half-up or half-even", DefaultValueFactory = _ => "half-up" };
    public Option<string> Overflow { get; } = new("--overflow") { Description = "HGQ activations: wrap, saturate or symmetric", DefaultValueFactory = _ => "saturate" };
    public Option<float> InitWeightBits { get; } = new("--init-wf") { Description = "HGQ: starting fractional bits of weights", DefaultValueFactory = _ => 8f };
    public Option<float> InitActivationBits { get; } = new("--init-af") { Description = "HGQ: starting fractional bits of activations", DefaultValueFactory = _ => 6f };
    public Option<double> BitsLr { get; } = new("--bits-lr") { Description = "HGQ: Adam learning rate of the fractional bits", DefaultValueFactory = _ => 0.005 };
    public Option<bool> FreezeBits { get; } = new("--freeze-bits") { Description = "HGQ: keep every f at its start (uniform fixed-point QAT baseline)" };
    public Option<bool> NoVerify { get; } = new("--no-verify") { Description = "HGQ: skip the integer bit-exactness check of the final model" };

    public IEnumerable<Option> All => [BetaSchedule, TargetEbops, Gamma, Granularity, Rounding, Overflow, InitWeightBits, InitActivationBits, BitsLr, FreezeBits, NoVerify];

    /// <summary>Reads the HGQ options; bad values end in a <see cref="MixQException"/> before any data is read.</summary>
    public HgqOptions Read(ParseResult parse, int epochs, int batchSize, double? lr, int seed, int limitTrain, int limitTest)
    {
        var granularity = ParseEnum<HgqGranularity>(parse.GetValue(Granularity)!, "--granularity", ("element", HgqGranularity.Element), ("row", HgqGranularity.Row), ("layer", HgqGranularity.Layer));
        var rounding = ParseEnum<RoundingMode>(parse.GetValue(Rounding)!, "--rounding", ("truncate", RoundingMode.Truncate), ("half-up", RoundingMode.RoundHalfUp), ("half-even", RoundingMode.RoundHalfEven));
        var overflow = ParseEnum<OverflowMode>(parse.GetValue(Overflow)!, "--overflow", ("wrap", OverflowMode.Wrap), ("saturate", OverflowMode.Saturate), ("symmetric", OverflowMode.SymmetricSaturate));
        bool trainable = !parse.GetValue(FreezeBits);
        var options = new HgqOptions
        {
            Weights = new HgqQuantizerConfig
            {
                Granularity = granularity, InitialFractionalBits = parse.GetValue(InitWeightBits), Rounding = rounding,
                Overflow = OverflowMode.Wrap, Trainable = trainable,
            },
            Activations = new HgqQuantizerConfig
            {
                Granularity = granularity, InitialFractionalBits = parse.GetValue(InitActivationBits), Rounding = rounding,
                Overflow = overflow, Trainable = trainable,
            },
            Beta = Quantization.Hgq.BetaSchedule.Parse(parse.GetValue(BetaSchedule)!),
            TargetEbops = parse.GetValue(TargetEbops),
            Gamma = parse.GetValue(Gamma),
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = lr,
            BitsLearningRate = parse.GetValue(BitsLr),
            VerifyInteger = !parse.GetValue(NoVerify),
            Seed = seed,
            LimitTrainSamples = limitTrain,
            LimitTestSamples = limitTest,
        };
        return options.Validate();
    }

    public static int Run(HgqOptions options, string checkpoint, string data, string? outDir, bool asJson)
    {
        var ui = new TrainingConsole(quiet: asJson);
        HgqResult? result = null;
        ui.Run(observer =>
        {
            result = new HgqJob(options, observer).Run(checkpoint, data, outDir);
            return new NN.Training.TrainResult(result.Epochs, result.TestAccuracy, double.NaN, result.Seconds, result.SamplesPerSecond, result.CheckpointPath, 0);
        });
        var r = result!;
        foreach (var l in r.Layers)
            ui.Line(string.Create(CultureInfo.InvariantCulture, $"  {l.Name,-12} EBOPs {l.Ebops,12}  weight bits {l.AverageWeightBits:F2}  input bits {l.AverageInputBits:F2}  pruned {l.PrunedWeights}/{l.Weights}"));
        ui.Line("Pareto front (test accuracy, EBOPs): " + string.Join("  ", r.Pareto.Select(p => string.Create(CultureInfo.InvariantCulture, $"({p.TestAccuracy:P2}, {p.Ebops})"))));
        ui.Line($"hgq: float {r.FloatAccuracy:P2} -> final {r.TestAccuracy:P2} at {r.Ebops} EBOPs ({r.Seconds:F1} s)" +
                (r.BitExactness is { } b ? $"; integer evaluation: {b.MismatchedOutputs} mismatched outputs on {b.Samples} samples" : ""));
        if (asJson)
        {
            JsonLine.Write(new JsonObject
            {
                ["method"] = "hgq",
                ["test_accuracy"] = r.TestAccuracy,
                ["float_accuracy"] = r.FloatAccuracy,
                ["ebops"] = r.Ebops,
                ["pareto"] = new JsonArray(r.Pareto.Select(p => (JsonNode)new JsonObject
                {
                    ["test_accuracy"] = p.TestAccuracy, ["ebops"] = p.Ebops, ["epoch"] = p.Epoch, ["checkpoint"] = p.Checkpoint,
                }).ToArray()),
                ["layers"] = JsonSerializer.SerializeToNode(r.Layers),
                ["integer_mismatches"] = r.BitExactness?.MismatchedOutputs,
                ["integer_accuracy"] = r.BitExactness?.IntegerAccuracy,
                ["epochs"] = r.Epochs.Count,
                ["seconds"] = r.Seconds,
                ["samples_per_second"] = r.SamplesPerSecond,
                ["checkpoint"] = r.CheckpointPath,
            });
        }
        return 0;
    }

    private static T ParseEnum<T>(string text, string option, params (string Name, T Value)[] choices)
    {
        foreach (var (name, value) in choices)
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase)) return value;
        throw new MixQException($"{option} must be {string.Join(", ", choices.Select(c => c.Name))}; got '{text}'");
    }
}
