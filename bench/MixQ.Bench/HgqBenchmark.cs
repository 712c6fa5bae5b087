using System.Diagnostics;
using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Optim;
using MixQ.Quantization.Hgq;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Bench;

/// <summary>
/// Cost of HGQ training: samples/s of full training steps of the float model and of the same model with HGQ
/// quantizers (per-element f on weights and activations, EBOPs loss, Adam on the bits), back to back in one process.
/// `MixQ.Bench hgq [--models mlp,jetmlp,lenet5] [--repeats N] [--profile] [--fresh-gradients] [--frozen-first-input-bits]`:
/// the two are measured alternately N times;
/// the table reports each model's mean step time over all repeats (as samples/s: what an epoch costs) and their
/// ratio, the ratio of median steps, then every repeat's own ratio; --profile adds the backward time per op (of the last repeat).
/// </summary>
internal static class HgqBenchmark
{
    public static int Run(string[] args)
    {
        string models = args.SkipWhile(a => a != "--models").Skip(1).FirstOrDefault() ?? "mlp,jetmlp,lenet5";
        bool profile = args.Contains("--profile");
        bool frozenInputBits = args.Contains("--frozen-first-input-bits");
        // As the Trainer does: each step's parameter gradients go back to the buffer pool at the next ZeroGrad.
        // --fresh-gradients drops them instead (every step then faults in new weight-gradient arrays, as before 2026-12-01).
        bool recycle = !args.Contains("--fresh-gradients");
        int repeats = int.Parse(args.SkipWhile(a => a != "--repeats").Skip(1).FirstOrDefault() ?? "1");
        Console.WriteLine("| model | float samples/s | HGQ samples/s | HGQ / float time | same, median steps | each repeat |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        foreach (var name in models.Split(','))
        {
            int[] shape = [1, 28, 28];
            int steps = name switch { "mlp" or "jetmlp" => 200, _ => 60 };
            var rng = new Random(0);
            var x = Tensor.RandN(rng, 1f, [128, .. shape]);
            var labels = Enumerable.Range(0, 128).Select(_ => rng.Next(10)).ToArray();

            var floatModel = ModelZoo.Create(new ModelSpec(name, shape, 10), new Random(1));

            var hgqModel = ModelZoo.Create(new ModelSpec(name, shape, 10), new Random(1));
            hgqModel.Eval();
            BatchNormFolding.FoldAll(hgqModel);
            var options = new HgqOptions();
            HgqModel.Attach(hgqModel, options.Weights, options.Activations, x);
            var extension = new HgqTrainingExtension(hgqModel, options, [x]);
            // A lower bound for any cheaper input-bit gradient: the first layer's input bits stay fixed, so its input
            // gradient (a batch x out x in GEMM the float step does not run) is never computed.
            if (frozenInputBits) HgqModel.Layers(hgqModel).First().Input.FractionalBits.RequiresGrad = false;
            extension.BeforeEvaluation(0);
            if (Environment.GetEnvironmentVariable("MIXQ_BENCH_PARTS") is not null) TimeQuantizers(hgqModel, x);
            var ratios = new List<string>();
            List<double> floatSteps = [], hgqSteps = [];
            for (int r = 0; r < repeats; r++)
            {
                double f = Measure(floatModel, null, x, labels, steps, floatSteps, recycle);
                if (profile && r == repeats - 1) Graph.BackwardProfile = [];
                double h = Measure(hgqModel, extension, x, labels, steps, hgqSteps, recycle);
                ratios.Add($"{f / h:F2}");
            }
            // Mean step (what an epoch costs, collections included) and median step (robust to the VM's bursts).
            double floatRate = x.Dim(0) / floatSteps.Average(), hgqRate = x.Dim(0) / hgqSteps.Average();
            double medianRatio = QatBenchmark.Median(hgqSteps) / QatBenchmark.Median(floatSteps);
            Console.WriteLine($"| {name} | {floatRate:F0} | {hgqRate:F0} | {floatRate / hgqRate:F2}x | {medianRatio:F2}x | {string.Join(", ", ratios)} |");
            if (Graph.BackwardProfile is { } p)
            {
                foreach (var (op, time) in p.OrderByDescending(kv => kv.Value).Take(8))
                    Console.WriteLine($"    backward {op}: {time.TotalMilliseconds / (steps + 5):F2} ms/step");
                Graph.BackwardProfile = null;
            }
        }
        return 0;
    }

    /// <summary>Forward time of each quantizer alone (no graph), to see where an HGQ step goes.</summary>
    private static void TimeQuantizers(Module model, Tensor x)
    {
        var inputs = new Dictionary<string, Tensor>();
        foreach (var l in HgqModel.Layers(model)) l.Layer.InputProbe = t => inputs[l.Name] = t.Clone();
        using (MixQ.Tensors.Autograd.GradMode.NoGrad()) model.Forward(x);
        foreach (var l in HgqModel.Layers(model))
        {
            l.Layer.InputProbe = null;
            var clock = Stopwatch.StartNew();
            using (MixQ.Tensors.Autograd.GradMode.NoGrad())
                for (int i = 0; i < 20; i++) l.Weight.Forward(l.Layer.Weight);
            double weight = clock.Elapsed.TotalMilliseconds / 20;
            clock.Restart();
            using (MixQ.Tensors.Autograd.GradMode.NoGrad())
                for (int i = 0; i < 20; i++) l.Weight.Formats(l.Layer.Weight);
            double formats = clock.Elapsed.TotalMilliseconds / 20;
            clock.Restart();
            using (MixQ.Tensors.Autograd.GradMode.NoGrad())
                for (int i = 0; i < 20; i++) l.Input.Forward(inputs[l.Name]);
            double input = clock.Elapsed.TotalMilliseconds / 20;
            clock.Restart();
            using (MixQ.Tensors.Autograd.GradMode.NoGrad())
                for (int i = 0; i < 20; i++) l.Input.ElementBits();
            double inputBits = clock.Elapsed.TotalMilliseconds / 20;
            clock.Restart();
            for (int i = 0; i < 20; i++) Ebops.Differentiable(l);
            double ebops = clock.Elapsed.TotalMilliseconds / 20;
            Console.WriteLine($"    {l.Name}: weight quantizer {weight:F2} ms (formats {formats:F2}), input quantizer {input:F2} ms, input bits {inputBits:F2} ms, EBOPs {ebops:F2} ms");
        }
        // Training-mode input quantizer (ranges widened by every batch), as a training step runs it.
        model.Train();
        foreach (var l in HgqModel.Layers(model))
        {
            var clock = Stopwatch.StartNew();
            using (MixQ.Tensors.Autograd.GradMode.NoGrad())
                for (int i = 0; i < 20; i++) l.Input.Forward(inputs[l.Name]);
            Console.WriteLine($"    {l.Name}: input quantizer in training {clock.Elapsed.TotalMilliseconds / 20:F2} ms");
        }
        model.Eval();
    }

    /// <summary>Samples/s over <paramref name="steps"/> steps after 5 warm-up steps; each step's seconds go to <paramref name="stepTimes"/>.</summary>
    private static double Measure(Module model, HgqTrainingExtension? extension, Tensor x, int[] labels, int steps, List<double> stepTimes, bool recycle)
    {
        model.Train();
        var own = new HashSet<Tensor>(extension?.OwnParameters ?? [], ReferenceEqualityComparer.Instance);
        var optimizer = new Sgd(model.Parameters().Where(p => !own.Contains(p)).ToList(), new SgdOptions(0.01f) { Momentum = 0.9f });
        var clock = new Stopwatch();
        var parts = new double[4];
        var part = new Stopwatch();
        void Lap(int k) { parts[k] += part.Elapsed.TotalMilliseconds; part.Restart(); }
        for (int i = 0; i < steps + 5; i++)
        {
            if (i == 5) { clock.Start(); Array.Clear(parts); }
            long start = Stopwatch.GetTimestamp();
            part.Restart();
            var loss = Ops.SoftmaxCrossEntropy(model.Forward(x), labels);
            Lap(0);
            var extra = extension?.ExtraLoss(i, steps + 5);
            Lap(1);
            optimizer.ZeroGrad(recycle);
            (extra is null ? loss : Ops.Add(loss, extra)).Backward();
            Lap(2);
            optimizer.Step();
            extension?.AfterStep(i, steps + 5);
            Graph.Release(loss); // as the Trainer does after each step
            Lap(3);
            if (i >= 5) stepTimes.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        if (Environment.GetEnvironmentVariable("MIXQ_BENCH_PARTS") is not null)
            Console.WriteLine($"    ms/step: forward {parts[0] / steps:F2}, extra loss {parts[1] / steps:F2}, backward {parts[2] / steps:F2}, steps {parts[3] / steps:F2}");
        return steps * x.Dim(0) / clock.Elapsed.TotalSeconds;
    }
}
