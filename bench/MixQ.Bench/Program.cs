using MixQ.Bench;

// Subcommand dispatch: `dotnet run -c Release --project bench/MixQ.Bench -- <benchmark> [options]`.
var benchmarks = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["gemm"] = GemmBenchmark.Run,
    ["train"] = TrainBenchmark.Run,
    ["profile"] = ProfileBenchmark.Run,
    ["qat"] = QatBenchmark.Run,
    ["intinfer"] = IntInferBenchmark.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: MixQ.Bench <{string.Join("|", benchmarks.Keys)}> [options]");
    return 2;
}
return run(args[1..]);
