namespace MixQ.Hardware.Cost;

/// <summary>How one weight-times-activation product is built.</summary>
public enum MultiplierKind
{
    /// <summary>Fixed-point weight on a DSP slice (packed two or four to a slice when narrow enough).</summary>
    FixedDsp,

    /// <summary>Fixed-point weight on a LUT multiplier (runtime) or CSD shift-add (constant).</summary>
    FixedLut,

    /// <summary>Power-of-two weight: a barrel shifter (runtime) or wiring (constant).</summary>
    PotLut,

    /// <summary>Sum of two powers of two: two shifters and an adder (runtime) or one adder (constant).</summary>
    Sp2Lut,
}
