using System.Diagnostics;
using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Optim;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.Plans;
using MixQ.Quantization.Qat;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Bench;

/// <summary>
/// Cost of quantization-aware training: samples/s of full training steps of the float model and of the same model
/// fake-quantized with an RMSMP plan (BatchNorm folded, row-wise weight quantizers, 4-bit input quantizers),
/// measured back to back in one process. `MixQ.Bench qat [--models lenet5,cifarnet] [--repeats N] [--parts]`: the two
/// are measured alternately N times; the table reports each model's mean step time over all repeats (as samples/s: what
/// an epoch costs) and their ratio, the ratio of median steps, then every repeat's own ratio (the VM's speed drifts by up to 3x between seconds, so single
/// runs mislead); --parts also times
/// each layer's weight and input quantizer alone (forward with the graph recorded, then its backward).
/// </summary>
internal static class QatBenchmark
{
    public static int Run(string[] args)
    {
        string models = args.SkipWhile(a => a != "--models").Skip(1).FirstOrDefault() ?? "mlp,lenet5,cifarnet";
        int repeats = int.Parse(args.SkipWhile(a => a != "--repeats").Skip(1).FirstOrDefault() ?? "1");
        Console.WriteLine("| model | float samples/s | QAT (rmsmp) samples/s | QAT / float time | same, median steps | each repeat |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        foreach (var name in models.Split(','))
        {
            int[] shape = name is "cifarnet" or "resnet20" ? [3, 32, 32] : [1, 28, 28];
            int steps = name switch { "mlp" => 300, "lenet5" => 100, _ => 20 };
            var rng = new Random(0);
            var x = Tensor.RandN(rng, 1f, [128, .. shape]);
            var labels = Enumerable.Range(0, 128).Select(_ => rng.Next(10)).ToArray();

            var floatModel = ModelZoo.Create(new ModelSpec(name, shape, 10), new Random(1));

            var qatModel = ModelZoo.Create(new ModelSpec(name, shape, 10), new Random(1));
            qatModel.Eval();
            BatchNormFolding.FoldAll(qatModel);
            var plan = PlanBuilder.Build(qatModel, new PlanOptions { Method = "rmsmp", Mix = MixPresets.For("rmsmp") });
            QatModel.Attach(qatModel, plan, "rmsmp", learnScales: true, [x]);
            var ratios = new List<string>();
            List<double> floatSteps = [], qatSteps = [];
            for (int r = 0; r < repeats; r++)
            {
                double f = Measure(floatModel, x, labels, steps, floatSteps), q = Measure(qatModel, x, labels, steps, qatSteps);
                ratios.Add($"{f / q:F2}");
                if (Environment.GetEnvironmentVariable("MIXQ_BENCH_PARTS") is not null) Console.Error.WriteLine($"    repeat {r}: float {f:F0}, QAT {q:F0} samples/s");
            }
            // Mean step (what an epoch costs, collections included) and median step (robust to the VM's bursts).
            double floatRate = x.Dim(0) / floatSteps.Average(), qatRate = x.Dim(0) / qatSteps.Average();
            double medianRatio = Median(qatSteps) / Median(floatSteps);
            if (args.Contains("--parts")) TimeQuantizers(qatModel, x);
            Console.WriteLine($"| {name} | {floatRate:F0} | {qatRate:F0} | {floatRate / qatRate:F2}x | {medianRatio:F2}x | {string.Join(", ", ratios)} |");
        }
        return 0;
    }

    /// <summary>Forward (recorded) and backward time of each quantizer alone, per call.</summary>
    private static void TimeQuantizers(Module model, Tensor x)
    {
        var inputs = new Dictionary<string, Tensor>();
        var layers = QatModel.Layers(model);
        foreach (var (name, layer) in layers) layer.InputProbe = t => inputs[name] = t.Clone();
        using (GradMode.NoGrad()) model.Forward(x);
        foreach (var (name, layer) in layers)
        {
            layer.InputProbe = null;
            var input = inputs[name];
            input.RequiresGrad = name != layers[0].Name; // the first layer's input is data
            var (wf, wb) = Time(() => layer.WeightQuantizer!.Forward(layer.Weight), model);
            var (af, ab) = Time(() => layer.InputQuantizer!.Forward(input), model);
            Console.WriteLine($"    {name}: weight quantizer forward {wf:F3} ms, backward {wb:F3} ms; input quantizer forward {af:F3} ms, backward {ab:F3} ms");
        }
    }

    private static (double Forward, double Backward) Time(Func<Tensor> run, Module model)
    {
        const int reps = 50;
        double forward = 0, backward = 0;
        for (int i = -5; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var y = run();
            long t1 = Stopwatch.GetTimestamp();
            var seed = Tensor.Ones(y.ShapeArray());
            long t2 = Stopwatch.GetTimestamp();
            Graph.Backward(y, seed);
            long t3 = Stopwatch.GetTimestamp();
            foreach (var p in model.Parameters()) p.Grad = null;
            if (i < 0) continue;
            forward += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            backward += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
        }
        return (forward / reps, backward / reps);
    }

    /// <summary>Samples/s over <paramref name="steps"/> steps after 5 warm-up steps; each step's seconds go to <paramref name="stepTimes"/>.</summary>
    private static double Measure(Module model, Tensor x, int[] labels, int steps, List<double> stepTimes)
    {
        model.Train();
        var optimizer = new Sgd(model.Parameters(), new SgdOptions(0.01f) { Momentum = 0.9f });
        double total = 0;
        long bytes0 = 0;
        int gen0 = 0, gen2 = 0;
        for (int i = 0; i < steps + 5; i++)
        {
            if (i == 5) (bytes0, gen0, gen2) = (GC.GetTotalAllocatedBytes(true), GC.CollectionCount(0), GC.CollectionCount(2));
            long start = Stopwatch.GetTimestamp();
            optimizer.ZeroGrad();
            var loss = Ops.SoftmaxCrossEntropy(model.Forward(x), labels);
            loss.Backward();
            optimizer.Step();
            Graph.Release(loss); // as the Trainer does after each step
            if (i < 5) continue;
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            stepTimes.Add(seconds);
            total += seconds;
        }
        if (Environment.GetEnvironmentVariable("MIXQ_BENCH_PARTS") is not null)
            Console.Error.WriteLine($"    {(GC.GetTotalAllocatedBytes(true) - bytes0) / steps / 1024.0:F1} KiB allocated per step, {(GC.CollectionCount(0) - gen0) / (double)steps:F2} gen0 and {(GC.CollectionCount(2) - gen2) / (double)steps:F2} gen2 collections per step");
        return steps * x.Dim(0) / total;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
