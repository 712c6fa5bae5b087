using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Plans;

/// <summary>One entry of a <see cref="MixSpec"/>: a number format and the percentage of every layer's rows that use it.</summary>
public sealed record MixEntry(NumberFormat Format, decimal Percent);
