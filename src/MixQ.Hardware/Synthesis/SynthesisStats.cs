namespace MixQ.Hardware.Synthesis;

/// <summary>
/// Cell counts of one synthesized design (yosys synth_xilinx): LUT1..LUT6, flip-flops (FD*), carry chains
/// (CARRY4/CARRY8), slice multiplexers (MUXF7/8), DSP slices and block RAMs; INV cells (a LUT each, which `mixq synth`
/// counts as LUTs) separately in <see cref="Inverters"/>.
/// </summary>
public sealed record SynthesisStats(int Luts, int FlipFlops, int Carry, int MuxF, int Dsps, int Bram, int Inverters = 0)
{
    /// <summary>Counts from a cell-type histogram as yosys's stat -json prints it.</summary>
    public static SynthesisStats FromCells(IReadOnlyDictionary<string, int> cells)
    {
        int Sum(Func<string, bool> match) => cells.Where(c => match(c.Key)).Sum(c => c.Value);
        return new SynthesisStats(
            Luts: Sum(t => t.StartsWith("LUT", StringComparison.Ordinal)),
            FlipFlops: Sum(t => t is "FDRE" or "FDSE" or "FDCE" or "FDPE" or "FD"),
            Carry: Sum(t => t.StartsWith("CARRY", StringComparison.Ordinal)),
            MuxF: Sum(t => t.StartsWith("MUXF", StringComparison.Ordinal)),
            Dsps: Sum(t => t.StartsWith("DSP48", StringComparison.Ordinal)),
            Bram: Sum(t => t.StartsWith("RAMB36", StringComparison.Ordinal)) * 2 + Sum(t => t.StartsWith("RAMB18", StringComparison.Ordinal)),
            Inverters: Sum(t => t == "INV"));
    }
}
