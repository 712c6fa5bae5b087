using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.NN.Checkpoints;
using MixQ.NN.Data;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Training;
using MixQ.Quantization.Qat;

namespace MixQ.Cli.Commands;

/// <summary>`mixq eval`: test-set accuracy of a checkpoint.</summary>
public static class EvalCommand
{
    public static Command Build()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by mixq train or mixq quantize" };
        var integer = new Option<string>("--integer") { Description = "An integer model folder written by mixq export (instead of --checkpoint)" };
        var compare = new Option<string>("--compare") { Description = "With --integer: the quantized checkpoint it came from, to compare predictions and codes (HGQ: every output, which must be identical)" };
        var data = new Option<string>("--data") { Description = "Data set name or path (its test split is used)", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Evaluation batch size", DefaultValueFactory = _ => 256 };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line" };
        var command = new Command("eval", "Evaluate a checkpoint on a test set") { checkpoint, integer, compare, data, batch, json };
        command.SetAction(parse =>
        {
            string? integerDir = parse.GetValue(integer);
            if ((integerDir is null) == (parse.GetValue(checkpoint) is null))
                throw new MixQException("give exactly one of --checkpoint and --integer");
            if (integerDir is not null) return IntegerEval.Run(integerDir, parse.GetRequiredValue(data), parse.GetValue(compare), parse.GetValue(json));
            if (parse.GetValue(compare) is not null) throw new MixQException("--compare needs --integer");
            string path = parse.GetRequiredValue(checkpoint);
            if (!File.Exists(path)) throw new MixQException($"checkpoint {path} does not exist");
            var spec = ModelZoo.ReadSpec(path);
            var split = DataRegistry.Load(parse.GetRequiredValue(data), new DataOptions(), msg => Console.Error.WriteLine(msg));
            ModelZoo.CheckCompatible(spec, split.Test, path);
            Module model;
            if (QuantizeJob.IsQuantized(path)) model = QuantizeJob.LoadQuantized(path).Model;
            else if (Quantization.Hgq.HgqJob.IsHgq(path)) model = Quantization.Hgq.HgqJob.Load(path).Model;
            else
            {
                model = ModelZoo.Create(spec, new Random(0));
                Checkpoint.Load(path, model);
            }
            var clock = Stopwatch.StartNew();
            var (loss, accuracy) = Evaluator.Evaluate(model, split.Test, parse.GetValue(batch));
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"{spec.Name} on {split.Test.Name}: test accuracy {accuracy:P2}, loss {loss:F4} " +
                              $"({split.Test.Count} samples, {split.Test.Count / seconds:F0} samples/s)");
            if (parse.GetValue(json))
            {
                JsonLine.Write(new JsonObject
                {
                    ["model"] = spec.Name,
                    ["test_accuracy"] = accuracy,
                    ["test_loss"] = loss,
                    ["samples"] = split.Test.Count,
                    ["seconds"] = seconds,
                });
            }
            return 0;
        });
        return command;
    }
}
