using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Plans;

namespace MixQ.Quantization.Tests.Plans;

/// <summary>Small models and formats shared by the plan and assignment tests.</summary>
internal static class PlanTestModels
{
    public static readonly NumberFormat Sp2x4 = NumberFormat.Sp2(4);
    public static readonly NumberFormat Fixed4 = NumberFormat.Fixed(4);
    public static readonly NumberFormat Fixed8 = NumberFormat.Fixed(8);

    /// <summary>conv "0" [5, 2, 3, 3] -> relu -> flatten -> linear "3" [12, 20] -> relu -> linear "5" [3, 12].</summary>
    public static Module ConvNet(int seed = 1, int hidden = 12)
    {
        var rng = new Random(seed);
        return new Sequential(new Conv2d(2, 5, 3, rng), new ReLU(), new Flatten(), new Linear(20, hidden, rng), new ReLU(), new Linear(hidden, 3, rng));
    }

    /// <summary>linear "0" [10, 6] -> relu -> linear "2" [8, 10] -> relu -> linear "4" [3, 8].</summary>
    public static Module Mlp(int seed = 1) => MlpOf(seed, 6, 10, 8, 3);

    public static Module MlpOf(int seed, params int[] widths)
    {
        var rng = new Random(seed);
        var model = new Sequential();
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            if (i > 0) model.Add(new ReLU());
            model.Add(new Linear(widths[i], widths[i + 1], rng));
        }
        return model;
    }

    public static MixSpec Rmsmp => MixSpec.Parse(MixPresets.Rmsmp);
}
