using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Plans;

/// <summary>
/// The format of the first and last quantizable layers; null means "follow the mix like every other layer".
/// Default fixed-8 for both: the first layer sees raw inputs and has few weights, the last produces the logits,
/// and keeping both at 8 bits is common practice in the MSQ/RMSMP line of work (and in most low-bit
/// quantization papers before them) at a negligible cost in weights. When a model has a single quantizable
/// layer, <see cref="First"/> decides.
/// </summary>
public sealed record EdgeLayerPolicy(NumberFormat? First, NumberFormat? Last)
{
    public static EdgeLayerPolicy Default { get; } = new(NumberFormat.Fixed(8), NumberFormat.Fixed(8));

    /// <summary>The mix applies to the first and last layers too.</summary>
    public static EdgeLayerPolicy FollowMix { get; } = new(null, null);

    /// <summary>The fixed format of a layer in <paramref name="role"/>, or null when the mix applies.</summary>
    public NumberFormat? FormatFor(LayerRole role) =>
        role.HasFlag(LayerRole.First) ? First : role.HasFlag(LayerRole.Last) ? Last : null;

    /// <summary>"fixed-8" or "mix" (the text a plan file and the command line use).</summary>
    public static string Text(NumberFormat? format) => format?.ToString() ?? "mix";

    /// <summary>Parses "fixed-8" or "mix".</summary>
    public static NumberFormat? ParseFormat(string text, string? source = null) =>
        string.Equals(text.Trim(), "mix", StringComparison.OrdinalIgnoreCase) ? null : NumberFormat.Parse(text, source);
}
