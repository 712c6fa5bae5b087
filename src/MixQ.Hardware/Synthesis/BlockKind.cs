namespace MixQ.Hardware.Synthesis;

/// <summary>The small hardware blocks the cost model is calibrated on (one generated Verilog module each).</summary>
public enum BlockKind
{
    /// <summary>Signed m-bit weight times unsigned a-bit activation, generic multiplier on LUTs (synthesized with -nodsp).</summary>
    FixedLutMultiplier,

    /// <summary>The same multiplier left to yosys's DSP mapping.</summary>
    FixedDspMultiplier,

    /// <summary>Runtime PoT weight code (sign + exponent): barrel shifter and conditional negate.</summary>
    PotRuntimeMultiplier,

    /// <summary>Runtime SP2 weight code (sign + two exponents): two barrel shifters, an adder, conditional negate.</summary>
    Sp2RuntimeMultiplier,

    /// <summary>Every non-zero constant magnitude of a format, each as CSD shift-add on its own input (no sharing).</summary>
    ConstantMultipliers,

    /// <summary>Two n-bit signed operands, n + 1-bit sum.</summary>
    Adder,

    /// <summary>Balanced tree summing k signed n-bit inputs, combinational (yosys merges it into one LUT compressor tree).</summary>
    AdderTree,

    /// <summary>The same tree with a register after every level, as a pipelined datapath has it (each adder on a carry chain).</summary>
    PipelinedAdderTree,

    /// <summary>Registered n-bit accumulator with synchronous clear.</summary>
    Accumulator,

    /// <summary>Products packed into one DSP slice (2 or 4 lanes) with the LUT lane correction.</summary>
    PackedDsp,

    /// <summary>
    /// A requantization multiplier as the unrolled generator writes it: a registered acc * m + offset of a signed
    /// <c>Width</c>-bit accumulator and a <c>WeightBits</c>-bit constant m (the integer engine's Q31 multipliers are
    /// 31 bits), left to yosys's DSP mapping.
    /// </summary>
    RequantMultiplier,

    /// <summary>
    /// The requantization tail: a <c>Width</c>-bit product rounded half away from zero, shifted right by
    /// <c>WeightBits</c> (0: no rounding adder, the clamp alone) and clamped into a registered <c>ActBits</c>-bit output.
    /// </summary>
    RequantTail,
}
