using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p);
/// the identity in evaluation. The mask generator is seeded explicitly.
/// </summary>
public sealed class Dropout : Module
{
    private readonly Random _rng;

    public Dropout(float p, int seed)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        P = p;
        _rng = new Random(seed);
    }

    public float P { get; }

    public override Tensor Forward(Tensor input) => Ops.Dropout(input, P, Training, _rng);
}
