using System.Diagnostics;
using System.Text.Json;
using MixQ.NN.Data;
using MixQ.NN.Models;
using MixQ.NN.Optim;
using MixQ.NN.Training;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Bench;

/// <summary>
/// Training throughput (samples/s) of full steps — forward, softmax cross-entropy, backward, SGD momentum step —
/// on synthetic data shaped like the model's input, after warm-up. bench/peers/train_torch.py measures PyTorch
/// the same way; bench/train.sh runs both in one go. Samples per CPU-second (process user + system time over the
/// timed steps) is reported too: on a machine shared with other jobs it measures the work each engine spends,
/// which wall-clock throughput alone cannot separate from the neighbours' load. `--inference` measures evaluation
/// instead (see <see cref="MeasureInference"/>; the peer's `--inference` does the same in PyTorch).
/// </summary>
internal static class TrainBenchmark
{
    public static int Run(string[] args)
    {
        string models = Arg(args, "--models", "mlp,lenet5,cifarnet");
        int batch = int.Parse(Arg(args, "--batch", "128"));
        int stepsOverride = int.Parse(Arg(args, "--steps", "0"));
        bool inference = args.Contains("--inference");
        foreach (var name in models.Split(','))
        {
            int steps = stepsOverride > 0 ? stepsOverride : name switch { "mlp" => 400, "lenet5" => 150, _ => 30 };
            var result = inference ? MeasureInference(name, batch, steps, Math.Max(3, steps / 10)) : Measure(name, batch, steps, Math.Max(3, steps / 10));
            Console.WriteLine(JsonSerializer.Serialize(result));
        }
        return 0;
    }

    /// <summary>
    /// Inference throughput through the production path (<see cref="Evaluator.Evaluate"/>: data loader, no-grad
    /// forward, loss and hits per batch, each batch's activations recycled) over <paramref name="steps"/> batches of
    /// random inputs, after an evaluation of <paramref name="warmup"/> batches.
    /// </summary>
    private static Dictionary<string, object> MeasureInference(string name, int batch, int steps, int warmup)
    {
        int[] shape = name == "cifarnet" || name == "resnet20" ? [3, 32, 32] : [1, 28, 28];
        var rng = new Random(0);
        var model = ModelZoo.Create(new ModelSpec(name, shape, 10), rng);
        Dataset Random(int batches)
        {
            int n = batches * batch, size = shape.Aggregate(1, (a, b) => a * b);
            var x = new float[n * size];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            var y = Enumerable.Range(0, n).Select(_ => rng.Next(10)).ToArray();
            return new Dataset("random", x, y, shape, 10, DatasetKind.Image);
        }
        var warm = Random(warmup);
        var timed = Random(steps);
        Evaluator.Evaluate(model, warm, batch);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Evaluator.Evaluate(model, timed, batch);
        clock.Stop();
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        return new()
        {
            ["engine"] = "mixq", ["mode"] = "inference", ["model"] = name, ["batch"] = batch, ["threads"] = Environment.ProcessorCount,
            ["steps"] = steps, ["samples_per_second"] = steps * batch / clock.Elapsed.TotalSeconds,
            ["samples_per_cpu_second"] = steps * batch / cpuSeconds,
        };
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
