using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Parameter initialisation with an explicit generator.</summary>
public static class Init
{
    /// <summary>
    /// PyTorch's default for Linear and Conv2d (kaiming_uniform with a = sqrt(5)): U(-b, b) with
    /// b = 1/sqrt(fan_in), for weights and biases alike. Matching it keeps comparisons with PyTorch fair.
    /// </summary>
    public static Tensor DefaultUniform(Random rng, int fanIn, params int[] shape)
    {
        float bound = 1f / MathF.Sqrt(Math.Max(1, fanIn));
        return Tensor.RandUniform(rng, -bound, bound, shape);
    }
}
