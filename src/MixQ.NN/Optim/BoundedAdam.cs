using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// <see cref="Adam"/> (coupled L2 decay) whose parameters each stay inside their own interval: after every update
/// p = Math.Clamp(p, low, high), applied in the same pass over the parameter as the update itself. Equal, bit for
/// bit, to an Adam step followed by a separate clamp — one pass over parameters fewer (HGQ's fractional bits: a
/// quarter of a million of them for a small MLP, clamped after every step).
/// </summary>
public sealed class BoundedAdam : AdamBase
{
    private readonly Dictionary<Tensor, (float Low, float High)> _bounds = new(ReferenceEqualityComparer.Instance);

    /// <param name="bounds">One interval per parameter, in the order of <paramref name="parameters"/>.</param>
    public BoundedAdam(IReadOnlyList<Tensor> parameters, AdamOptions options, IReadOnlyList<(float Low, float High)> bounds) : base(parameters, options)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        if (bounds.Count != Parameters.Count) throw new ArgumentException($"{bounds.Count} intervals for {Parameters.Count} parameters", nameof(bounds));
        for (int i = 0; i < bounds.Count; i++)
        {
            var (low, high) = bounds[i];
            if (float.IsNaN(low) || float.IsNaN(high) || low > high)
                throw new ArgumentException($"interval [{low}, {high}] of parameter {i} is empty", nameof(bounds));
            _bounds[Parameters[i]] = bounds[i];
        }
    }

    private protected override bool Decoupled => false;

    private protected override (float Low, float High) BoundsFor(Tensor parameter) => _bounds[parameter];
}
