namespace MixQ.Quantization.Integer;

/// <summary>
/// One step of an <see cref="IntegerModel"/>. Every tensor between layers holds integers (codes or accumulators)
/// laid out like the float model's: [N, C, H, W] for images, [N, F] for features. Shapes here are per sample
/// ([C, H, W] or [F]) and "channel" is their first axis.
/// Layers carry no floating-point parameters that inference reads. <see cref="Name"/> is the float model's module
/// name the layer came from (for tracing); <see cref="Op"/> is the tag in the exported JSON.
/// </summary>
public abstract record IntLayer(string Name)
{
    public abstract string Op { get; }

    /// <summary>The per-sample output shape for a per-sample input shape (throws a MixQException when they do not fit).</summary>
    public abstract int[] OutputShape(int[] inputShape);

    protected MixQException Mismatch(int[] inputShape, string expected) =>
        new($"integer layer '{Name}' ({Op}) expects {expected}, got [{string.Join(", ", inputShape)}]");
}
