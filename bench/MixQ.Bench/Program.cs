using MixQ.Bench;

return args.FirstOrDefault() switch
{
    "train" => TrainBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MixQ.Bench train [--models mlp,lenet5,cifarnet] [--batch 128] [--steps N]");
    return 2;
}
