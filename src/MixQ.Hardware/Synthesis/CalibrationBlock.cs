namespace MixQ.Hardware.Synthesis;

/// <summary>
/// One generated calibration block: its name (unique, e.g. "fixed_lut_w4_a4"), kind and parameters, whether yosys may
/// map multiplies to DSP slices, and the Verilog source (a module called "top").
/// </summary>
/// <param name="WeightBits">Weight bits m (multipliers), or 0.</param>
/// <param name="ActBits">Activation bits a (multipliers), or 0.</param>
/// <param name="Width">Operand width n (adders, trees, accumulators), or 0.</param>
/// <param name="Count">Inputs of a tree, lanes of a packed DSP, constants in a constant block, or 1.</param>
/// <param name="Scheme">Weight scheme name for multiplier blocks ("fixed", "pot", "sp2"), else "".</param>
public sealed record CalibrationBlock(string Name, BlockKind Kind, string Scheme, int WeightBits, int ActBits, int Width, int Count,
    bool UseDsp, string Verilog);
