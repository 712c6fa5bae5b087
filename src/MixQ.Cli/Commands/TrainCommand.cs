using System.CommandLine;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.NN.Training;

namespace MixQ.Cli.Commands;

/// <summary>`mixq train`: train a model from the zoo on a data set, with live progress and checkpoints.</summary>
public static class TrainCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model name: mlp, jetmlp, lenet5, cifarnet, resnet20, transformer", Required = true };
        var data = new Option<string>("--data") { Description = "Data set name (mnist, fashion-mnist, cifar10, sst2) or a path", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Number of epochs", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the model's recipe)" };
        var optimizer = new Option<string?>("--optimizer") { Description = "sgd, adam or adamw (default: the model's recipe)" };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0.9 };
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum for SGD" };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "Weight decay on weight matrices and kernels" };
        var schedule = new Option<string>("--schedule") { Description = "cosine, step or constant", DefaultValueFactory = _ => "cosine" };
        var warmup = new Option<double?>("--warmup") { Description = "Linear warm-up length in epochs (default: the model's recipe)" };
        var clip = new Option<double?>("--clip-norm") { Description = "Clip gradients to this global L2 norm" };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing for cross-entropy", DefaultValueFactory = _ => 0 };
        var augment = new Option<bool?>("--augment") { Description = "Random crop + flip (default: on for CIFAR-10)" };
        var seed = new Option<int>("--seed") { Description = "Random seed (initialisation, data order, augmentation)", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out") { Description = "Output folder for checkpoints", DefaultValueFactory = _ => "runs/train" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --out" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Also checkpoint every N steps (0: at epoch ends only)", DefaultValueFactory = _ => 0 };
        var limitTrain = new Option<int>("--limit-train") { Description = "Use only the first N training samples (smoke runs)", DefaultValueFactory = _ => 0 };
        var limitTest = new Option<int>("--limit-test") { Description = "Use only the first N test samples", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line" };

        var command = new Command("train", "Train a float model")
        {
            model, data, epochs, batch, lr, optimizer, momentum, nesterov, weightDecay, schedule, warmup, clip,
            smoothing, augment, seed, outDir, resume, checkpointEvery, limitTrain, limitTest, json,
        };
        command.SetAction(parse =>
        {
            var config = new TrainConfig
            {
                Model = parse.GetRequiredValue(model),
                Data = parse.GetRequiredValue(data),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                Optimizer = parse.GetValue(optimizer),
                Momentum = parse.GetValue(momentum),
                Nesterov = parse.GetValue(nesterov),
                WeightDecay = parse.GetValue(weightDecay),
                Schedule = parse.GetValue(schedule)!,
                WarmupEpochs = parse.GetValue(warmup),
                ClipNorm = parse.GetValue(clip),
                LabelSmoothing = parse.GetValue(smoothing),
                Augment = parse.GetValue(augment),
                Seed = parse.GetValue(seed),
                OutDir = parse.GetValue(outDir),
                CheckpointEverySteps = parse.GetValue(checkpointEvery),
                LimitTrainSamples = parse.GetValue(limitTrain),
                LimitTestSamples = parse.GetValue(limitTest),
            };
            bool asJson = parse.GetValue(json);
            var ui = new TrainingConsole(quiet: asJson);
            var result = ui.Run(observer => new Trainer(config, observer).Run(parse.GetValue(resume)));
            ui.Summary(config.Model, config.Data, result);
            if (asJson)
            {
                JsonLine.Write(new JsonObject
                {
                    ["model"] = config.Model,
                    ["data"] = config.Data,
                    ["test_accuracy"] = result.TestAccuracy,
                    ["test_loss"] = result.TestLoss,
                    ["epochs"] = config.Epochs,
                    ["seconds"] = result.Seconds,
                    ["samples_per_second"] = result.SamplesPerSecond,
                    ["checkpoint"] = result.CheckpointPath,
                });
            }
            return 0;
        });
        return command;
    }
}
