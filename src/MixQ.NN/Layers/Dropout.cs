using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Inverted dropout (see <see cref="Ops.Dropout"/>): active only in training mode. The layer owns
/// <paramref name="rng"/>, so a seeded generator reproduces the sequence of masks.
/// </summary>
public sealed class Dropout(float p, Random rng) : Module
{
    private readonly Random _rng = rng;

    public float P { get; } = p is >= 0f and <= 1f ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");

    public override Tensor Forward(Tensor input) => Ops.Dropout(input, P, Training, _rng);
}
