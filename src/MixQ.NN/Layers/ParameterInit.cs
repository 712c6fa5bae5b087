using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Parameter initialisers, always drawing from an explicit generator so a seed reproduces a model.</summary>
public static class ParameterInit
{
    /// <summary>
    /// PyTorch's default for Linear and Conv weights: kaiming_uniform_ with a = sqrt(5), i.e.
    /// U(-b, b) with b = gain * sqrt(3 / fanIn), gain = sqrt(2 / (1 + a^2)) = sqrt(1/3), so b = 1 / sqrt(fanIn).
    /// The matching bias default is the same bound (see <see cref="FanInUniform"/>).
    /// </summary>
    public static Tensor KaimingUniform(Random rng, int fanIn, params int[] shape) => FanInUniform(rng, fanIn, shape);

    /// <summary>U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's bias initialisation for Linear and Conv.</summary>
    public static Tensor FanInUniform(Random rng, int fanIn, params int[] shape)
    {
        if (fanIn <= 0) throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "fan-in must be positive");
        float bound = 1f / MathF.Sqrt(fanIn);
        return Tensor.RandUniform(rng, -bound, bound, shape);
    }
}
