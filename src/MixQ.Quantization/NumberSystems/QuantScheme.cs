namespace MixQ.Quantization.NumberSystems;

/// <summary>The weight number systems of methods.md §1; each row of a weight matrix uses one of them.</summary>
public enum QuantScheme
{
    /// <summary>Uniform symmetric fixed point, levels k / (2^(m-1) - 1): multiplies on DSP slices.</summary>
    Fixed,

    /// <summary>Power of two, levels 0 and ±2^-j: a multiply becomes one shift.</summary>
    PowerOfTwo,

    /// <summary>Sum of two powers of two (Mix and Match): two shifts and an add, LUT fabric only.</summary>
    SP2,
}
