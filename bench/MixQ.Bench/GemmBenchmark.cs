using System.Diagnostics;
using System.Globalization;
using MixQ.Tensors.Kernels;

namespace MixQ.Bench;

/// <summary>
/// SGEMM throughput on the shapes training uses: `gemm [--threads N] [--list] [--filter TEXT]`
/// (--filter keeps the shapes whose label contains TEXT).
/// Shapes are written m x k x n with the transpose letters of op(A) op(B) (N = as stored, T = transposed).
/// Each shape is warmed up, then timed as the median of several batches; batches are long enough
/// (about 20 ms) that timer resolution does not matter even for microsecond-sized problems.
/// `--list` prints the shape table for the OpenBLAS peer (bench/peers/gemm_numpy.py) so both time the same work.
/// </summary>
public static class GemmBenchmark
{
    public sealed record Shape(string Name, bool TransA, bool TransB, int M, int K, int N, bool SingleThread)
    {
        /// <summary>One word (no spaces), so scripts can pass it back as a filter.</summary>
        public string Label => $"{Name}_{M}x{K}x{N}_{(TransA ? 'T' : 'N')}{(TransB ? 'T' : 'N')}";
    }

    public static IReadOnlyList<Shape> Shapes()
    {
        var shapes = new List<Shape> { new("square", false, false, 1024, 1024, 1024, false) };
        // MLP 784-256-128-10 with batch 128: forward Y = X W, dW = X^T dY, dX = dY W^T.
        foreach (var (name, input, output) in new[] { ("fc1", 784, 256), ("fc2", 256, 128), ("fc3", 128, 10) })
        {
            shapes.Add(new($"{name}.fwd", false, false, 128, input, output, false));
            shapes.Add(new($"{name}.dW", true, false, input, 128, output, false));
            shapes.Add(new($"{name}.dX", false, true, 128, output, input, false));
        }
        // Per-sample im2col convolutions, one thread each: Y[OC x HW] = W[OC x CKK] cols[CKK x HW],
        // dW = dY cols^T, dcols = W^T dY.
        foreach (var (name, oc, ckk, hw) in new[]
        {
            ("lenet.c1", 6, 25, 784), ("lenet.c2", 16, 150, 100),
            ("cifar.c1", 32, 27, 1024), ("cifar.c2", 32, 288, 1024), ("cifar.c3", 64, 288, 256),
            ("cifar.c4", 64, 576, 256), ("cifar.c5", 128, 576, 64),
        })
        {
            shapes.Add(new($"{name}.fwd", false, false, oc, ckk, hw, true));
            shapes.Add(new($"{name}.dW", false, true, oc, hw, ckk, true));
            shapes.Add(new($"{name}.dX", true, false, ckk, oc, hw, true));
        }
        return shapes;
    }

    public static int Run(string[] args)
    {
        int threads = Environment.ProcessorCount;
        string? filter = null;
        bool list = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--filter": filter = args[++i]; break;
                case "--list": list = true; break;
                default: Console.Error.WriteLine($"gemm: unknown option {args[i]}"); return 2;
            }
        }

        var shapes = Shapes().Where(s => filter is null || s.Label.Contains(filter, StringComparison.Ordinal)).ToList();
        if (list)
        {
            foreach (var s in shapes)
                Console.WriteLine(FormattableString.Invariant(
                    $"{s.Label} {(s.TransA ? 1 : 0)} {(s.TransB ? 1 : 0)} {s.M} {s.K} {s.N} {(s.SingleThread ? 1 : threads)}"));
            return 0;
        }

        Console.WriteLine($"# MixQ SGEMM, {Environment.ProcessorCount} processors, --threads {threads}");
        foreach (var s in shapes)
        {
            int t = s.SingleThread ? 1 : threads;
            double gflops = Measure(s, t);
            Console.WriteLine(FormattableString.Invariant($"{s.Label,-36} threads={t} {gflops,8:F1} GFLOP/s"));
        }
        return 0;
    }

    private static double Measure(Shape s, int threads)
    {
        var rng = new Random(42);
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        float[] a = Fill(rng, s.M * s.K), b = Fill(rng, s.K * s.N), c = new float[s.M * s.N];
        double flops = 2.0 * s.M * s.N * s.K;
        void Once() => Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N, threads);

        // Warm up (JIT tiers, pooled buffers, worker threads), then size batches to ~20 ms.
        var clock = Stopwatch.StartNew();
        int calls = 0;
        while (clock.Elapsed.TotalMilliseconds < 200 || calls < 3) { Once(); calls++; }
        int batch = Math.Max(1, (int)(calls * 20 / clock.Elapsed.TotalMilliseconds));
        var seconds = new double[9];
        for (int r = 0; r < seconds.Length; r++)
        {
            clock.Restart();
            for (int i = 0; i < batch; i++) Once();
            seconds[r] = clock.Elapsed.TotalSeconds / batch;
        }
        Array.Sort(seconds);
        return flops / seconds[seconds.Length / 2] / 1e9;
    }

    private static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        return x;
    }
}
