using System.Diagnostics;
using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.NN.Optim;
using MixQ.Quantization.Assignment;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Plans;
using MixQ.Quantization.Qat;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Bench;

/// <summary>
/// Where a training step's time goes: forward time per leaf layer type, backward time per op, optimizer time.
/// `MixQ.Bench profile --model cifarnet [--steps 10] [--warmup 2] [--qat rmsmp | --hgq]`; --qat profiles the model prepared for
/// row-wise QAT as the qat benchmark prepares it (BatchNorm folded, learned scales, PACT input quantizers);
/// --hgq profiles the model with HGQ quantizers as the hgq benchmark prepares it (the EBOPs loss term, the bits'
/// Adam step and clamp timed apart from the weights' SGD step).
/// </summary>
internal static class ProfileBenchmark
{
    public static int Run(string[] args)
    {
        string name = args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault() ?? "cifarnet";
        int steps = int.Parse(args.SkipWhile(a => a != "--steps").Skip(1).FirstOrDefault() ?? "10");
        // Unrecorded steps first: enough of them (e.g. 100) let the JIT move the hot paths out of tier-0 code.
        int warmup = int.Parse(args.SkipWhile(a => a != "--warmup").Skip(1).FirstOrDefault() ?? "2");
        int[] shape = name is "cifarnet" or "resnet20" ? [3, 32, 32] : [1, 28, 28];
        var rng = new Random(0);
        var model = ModelZoo.Create(new ModelSpec(name, shape, 10), rng);
        var x = Tensor.RandN(rng, 1f, [128, .. shape]);
        var labels = Enumerable.Range(0, 128).Select(_ => rng.Next(10)).ToArray();
        string? qat = args.SkipWhile(a => a != "--qat").Skip(1).FirstOrDefault();
        if (qat is not null)
        {
            model.Eval();
            BatchNormFolding.FoldAll(model);
            var plan = PlanBuilder.Build(model, new PlanOptions { Method = qat, Mix = MixPresets.For(qat) });
            QatModel.Attach(model, plan, qat, learnScales: true, [x]);
            model.Train();
        }
        HgqTrainingExtension? hgq = null;
        if (args.Contains("--hgq"))
        {
            model.Eval();
            BatchNormFolding.FoldAll(model);
            var options = new HgqOptions();
            HgqModel.Attach(model, options.Weights, options.Activations, x);
            hgq = new HgqTrainingExtension(model, options, [x]);
            hgq.BeforeEvaluation(0);
            model.Train();
        }
        var own = new HashSet<Tensor>(hgq?.OwnParameters ?? [], ReferenceEqualityComparer.Instance);
        var optimizer = new Sgd(model.Parameters().Where(p => !own.Contains(p)).ToList(), new SgdOptions(0.01f) { Momentum = 0.9f, WeightDecay = 5e-4f });
        var forward = new Dictionary<string, TimeSpan>();
        var backward = new Dictionary<string, TimeSpan>();
        TimeSpan opt = TimeSpan.Zero, total = TimeSpan.Zero, extraLoss = TimeSpan.Zero, bits = TimeSpan.Zero;
        // Bytes allocated per phase (forward, extra loss, backward, optimizer, after step): fresh arrays cost page faults.
        var allocated = new long[5];
        long mark = 0;
        void Allocated(int phase, bool on)
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (on) allocated[phase] += now - mark;
            mark = now;
        }
        for (int step = -warmup; step < steps; step++)
        {
            bool record = step >= 0;
            Graph.BackwardProfile = record ? backward : null;
            long t0 = Stopwatch.GetTimestamp();
            Allocated(0, false);
            var logits = TimedForward(model, x, record ? forward : null);
            var loss = Ops.SoftmaxCrossEntropy(logits, labels);
            Allocated(0, record);
            long te = Stopwatch.GetTimestamp();
            var extra = hgq?.ExtraLoss(step + warmup, steps + warmup);
            if (record) extraLoss += Stopwatch.GetElapsedTime(te);
            Allocated(1, record);
            optimizer.ZeroGrad(recycle: true); // as the Trainer does
            (extra is null ? loss : Ops.Add(loss, extra)).Backward();
            Allocated(2, record);
            long t1 = Stopwatch.GetTimestamp();
            optimizer.Step();
            Allocated(3, record);
            long t2 = Stopwatch.GetTimestamp();
            hgq?.AfterStep(step + warmup, steps + warmup);
            Graph.Release(loss);
            Allocated(4, record);
            if (record)
            {
                opt += Stopwatch.GetElapsedTime(t1, t2);
                bits += Stopwatch.GetElapsedTime(t2);
                total += Stopwatch.GetElapsedTime(t0);
            }
        }
        Graph.BackwardProfile = null;
        Console.WriteLine($"{name}: {total.TotalMilliseconds / steps:F1} ms/step, {128 * steps / total.TotalSeconds:F0} samples/s; " +
                          $"GC: {GC.CollectionCount(0)} gen0, {GC.CollectionCount(2)} gen2, {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms paused in all");
        Console.WriteLine($"  allocated per step (main thread): forward {allocated[0] / steps / 1024.0:F0} KiB, extra loss {allocated[1] / steps / 1024.0:F0} KiB, " +
                          $"backward {allocated[2] / steps / 1024.0:F0} KiB, optimizer {allocated[3] / steps / 1024.0:F0} KiB, after step {allocated[4] / steps / 1024.0:F0} KiB");
        foreach (var (k, v) in forward.OrderByDescending(kv => kv.Value)) Console.WriteLine($"  forward  {k,-20} {v.TotalMilliseconds / steps,8:F2} ms");
        foreach (var (k, v) in backward.OrderByDescending(kv => kv.Value)) Console.WriteLine($"  backward {k,-20} {v.TotalMilliseconds / steps,8:F2} ms");
        Console.WriteLine($"  optimizer                     {opt.TotalMilliseconds / steps,8:F2} ms");
        if (hgq is not null)
        {
            Console.WriteLine($"  hgq extra loss (EBOPs)        {extraLoss.TotalMilliseconds / steps,8:F2} ms");
            Console.WriteLine($"  hgq after step (bits, clamp)  {bits.TotalMilliseconds / steps,8:F2} ms");
        }
        return 0;
    }

    /// <summary>Runs a module tree, timing each leaf layer (containers recurse).</summary>
    private static Tensor TimedForward(Module module, Tensor x, Dictionary<string, TimeSpan>? times)
    {
        if (module is Sequential seq)
        {
            foreach (var layer in seq.Layers) x = TimedForward(layer, x, times);
            return x;
        }
        if (module is QuantizableLayer { WeightQuantizer: { } wq, InputQuantizer: { } iq } quantized && module is Linear or Conv2d)
        {
            // Quantized layer: time its two quantizers apart from the layer's own operation.
            long t0 = Stopwatch.GetTimestamp();
            var xq = iq.Forward(x);
            long t1 = Stopwatch.GetTimestamp();
            var w = wq.Forward(quantized.Weight);
            long t2 = Stopwatch.GetTimestamp();
            var result = module is Conv2d conv
                ? Ops.Conv2d(xq, w, conv.Bias, conv.Stride, conv.Padding, conv.Groups)
                : Ops.Linear(xq, w, quantized.Bias);
            if (times is not null)
            {
                string key = module.GetType().Name;
                times[key] = times.GetValueOrDefault(key) + Stopwatch.GetElapsedTime(t2);
                // Per layer, named by its sizes: the first layer's input and weights dominate a dense model.
                string input = $"input quantizer {x.Size / x.Shape[0]}", weight = $"weight quantizer {quantized.Weight.Size}";
                times[input] = times.GetValueOrDefault(input) + Stopwatch.GetElapsedTime(t0, t1);
                times[weight] = times.GetValueOrDefault(weight) + Stopwatch.GetElapsedTime(t1, t2);
            }
            return result;
        }
        long start = Stopwatch.GetTimestamp();
        var y = module.Forward(x);
        if (times is not null)
        {
            string key = module.GetType().Name;
            times[key] = times.GetValueOrDefault(key) + Stopwatch.GetElapsedTime(start);
        }
        return y;
    }
}
