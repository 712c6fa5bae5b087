using System.Diagnostics;
using MixQ.NN.Checkpoints;
using MixQ.NN.Data;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.Quantization.Hgq;
using MixQ.Quantization.Integer;
using MixQ.Quantization.Qat;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Bench;

/// <summary>
/// Inference speed of the integer engine against the float engine on the same model and test batch:
/// `MixQ.Bench intinfer --checkpoint Q (row-wise or HGQ) [--float F] [--data mnist] [--samples 10000] [--repeats 3] [--wide-samples 2000] [--check]`.
/// Rows: integer engine (byte tensors, int8 GEMM: AVX-VNNI/AVX2), integer engine forced onto its exact 64-bit path
/// (on the first --wide-samples), the fake-quantized model (float engine with quantizers), and with --float the float
/// checkpoint itself. --check first compares the two integer paths' logits on every sample.
/// Each figure is the best of the repeats after three warm-up passes, over the same inputs, batch 256.
/// </summary>
internal static class IntInferBenchmark
{
    public static int Run(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        string checkpoint = Arg("--checkpoint") ?? throw new MixQException("intinfer needs --checkpoint QUANTIZED");
        string data = Arg("--data") ?? "mnist";
        int samples = int.Parse(Arg("--samples") ?? "10000");
        int repeats = int.Parse(Arg("--repeats") ?? "3");

        // HGQ checkpoints convert through HgqIntegerConverter; row-wise ones through IntegerConverter.
        Module fake;
        ModelSpec spec;
        IntegerModel integer;
        string method;
        if (HgqJob.IsHgq(checkpoint))
        {
            (fake, spec) = HgqJob.Load(checkpoint);
            method = HgqIntegerConverter.Method;
            integer = HgqIntegerConverter.Convert(fake, spec);
        }
        else
        {
            var (quantized, quantizedSpec, plan) = QuantizeJob.LoadQuantized(checkpoint);
            (fake, spec, method) = (quantized, quantizedSpec, plan.Method);
            integer = IntegerConverter.Convert(fake, spec, method).Model;
        }
        var test = DataRegistry.Load(data, new DataOptions(), _ => { }).Test.Limit(samples);
        int n = test.Count;
        var x = test.Features;
        Console.WriteLine($"{spec.Name} ({method}), {n} samples of {test.Name}, {Environment.ProcessorCount} threads, int8 GEMM path {Int8Gemm.Path}");
        Console.WriteLine("| engine | samples/s | ms per 256 |");
        Console.WriteLine("|---|---:|---:|");

        var simd = new IntegerEngine(integer);
        Report($"integer (int8 SIMD, {simd.SimdLayers} of {integer.Layers.Count(l => l is IntDense or IntConv2d)} matrix layers)", n, repeats, () => simd.Predict(x, n));
        var wide = new IntegerEngine(integer, simd: false);
        if (args.Contains("--check"))
        {
            // Exactness on real data: the int8 path's logits against the 64-bit reference path, every sample.
            bool same = simd.Logits(x, n).AsSpan().SequenceEqual(wide.Logits(x, n));
            Console.WriteLine($"logits of the int8 path and the 64-bit path on all {n} samples: {(same ? "identical" : "DIFFERENT")}");
            if (!same) return 1;
        }
        // The 64-bit path is slow; time it on a prefix so a run stays short.
        int wideN = Math.Min(n, int.Parse(Arg("--wide-samples") ?? "2000"));
        Report($"integer (exact 64-bit path, {wideN} samples)", wideN, repeats, () => wide.Predict(x.AsSpan(0, wideN * test.SampleSize), wideN));
        Report("float engine, fake-quantized model", n, repeats, () => Forward(fake, x, n, test.SampleShape));
        if (Arg("--float") is { } floatPath)
        {
            var floatModel = ModelZoo.Create(ModelZoo.ReadSpec(floatPath), new Random(0));
            Checkpoint.Load(floatPath, floatModel);
            Report("float engine, float model", n, repeats, () => Forward(floatModel, x, n, test.SampleShape));
        }
        return 0;
    }

    private static void Forward(Module model, float[] x, int n, int[] shape)
    {
        model.Eval();
        using var _ = GradMode.NoGrad();
        using var recycler = Graph.BatchRecycler();
        int size = shape.Aggregate(1, (a, b) => a * b);
        for (int start = 0; start < n; start += 256)
        {
            int b = Math.Min(256, n - start);
            var batch = Tensor.FromArray(x.AsSpan(start * size, b * size).ToArray(), [b, .. shape]);
            // As the Evaluator does (since 2026-12-02): each batch's activations serve the next batch.
            using var window = recycler.Batch();
            model.Forward(batch);
        }
    }

    private static void Report(string name, int n, int repeats, Action run)
    {
        // Three warm-up passes: one leaves the hot loops in tier-0 JIT code, which made whichever row ran first
        // look several times slower (measured on the HGQ mlp: 32k vs 99k samples/s for the same code path).
        for (int w = 0; w < 3; w++) run();
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            run();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"| {name} | {n / best:F0} | {best * 1000 * 256 / n:F2} |");
    }
}
