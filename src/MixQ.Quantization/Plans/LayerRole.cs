namespace MixQ.Quantization.Plans;

/// <summary>Where a layer sits among the quantizable layers; the first and last often keep a wider format.</summary>
[Flags]
public enum LayerRole
{
    Inner = 0,
    First = 1,
    Last = 2,

    /// <summary>A model with a single quantizable layer.</summary>
    Only = First | Last,
}
