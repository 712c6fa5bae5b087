using System.Diagnostics;
using System.Text.Json;
using MixQ.NN.Models;
using MixQ.NN.Optim;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Bench;

/// <summary>
/// Training throughput (samples/s) of full steps — forward, softmax cross-entropy, backward, SGD momentum step —
/// on synthetic data shaped like the model's input, after warm-up. bench/peers/train_torch.py measures PyTorch
/// the same way; bench/train.sh runs both in one go. Samples per CPU-second (process user + system time over the
/// timed steps) is reported too: on a machine shared with other jobs it measures the work each engine spends,
/// which wall-clock throughput alone cannot separate from the neighbours' load.
/// </summary>
internal static class TrainBenchmark
{
    public static int Run(string[] args)
    {
        string models = Arg(args, "--models", "mlp,lenet5,cifarnet");
        int batch = int.Parse(Arg(args, "--batch", "128"));
        int stepsOverride = int.Parse(Arg(args, "--steps", "0"));
        foreach (var name in models.Split(','))
        {
            int steps = stepsOverride > 0 ? stepsOverride : name switch { "mlp" => 400, "lenet5" => 150, _ => 30 };
            Console.WriteLine(JsonSerializer.Serialize(Measure(name, batch, steps, Math.Max(3, steps / 10))));
        }
        return 0;
    }

    private static Dictionary<string, object> Measure(string name, int batch, int steps, int warmup)
    {
        int[] shape = name == "cifarnet" || name == "resnet20" ? [3, 32, 32] : [1, 28, 28];
        var spec = new ModelSpec(name, shape, 10);
        var rng = new Random(0);
        var model = ModelZoo.Create(spec, rng);
        model.Train();
        var optimizer = new Sgd(model.Parameters(), new SgdOptions(0.01f) { Momentum = 0.9f, WeightDecay = 5e-4f });
        var x = Tensor.RandN(rng, 1f, [batch, .. shape]);
        var labels = Enumerable.Range(0, batch).Select(_ => rng.Next(10)).ToArray();
        var clock = new Stopwatch();
        var process = Process.GetCurrentProcess();
        TimeSpan cpuStart = TimeSpan.Zero;
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup)
            {
                process.Refresh();
                cpuStart = process.TotalProcessorTime;
                clock.Start();
            }
            optimizer.ZeroGrad();
            var loss = Ops.SoftmaxCrossEntropy(model.Forward(x), labels);
            loss.Backward();
            optimizer.Step();
            Graph.Release(loss); // as the Trainer does after each step
        }
        clock.Stop();
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        return new()
        {
            ["engine"] = "mixq", ["model"] = name, ["batch"] = batch, ["threads"] = Environment.ProcessorCount,
            ["steps"] = steps, ["samples_per_second"] = steps * batch / clock.Elapsed.TotalSeconds,
            ["samples_per_cpu_second"] = steps * batch / cpuSeconds,
        };
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
