namespace MixQ.Codegen.Synthesis;

/// <summary>
/// FPGA resources of one module or design. LUT counts logic LUTs (LUT1..LUT6, INV) plus LUTs used as memory
/// (SRL16E/SRLC32E shift registers, distributed RAM), FF every flip-flop, DSP the DSP48 slices, BRAM36 block RAM in
/// 36 Kb units (a RAMB18 is a half), Carry the CARRY4/CARRY8 cells.
/// </summary>
public readonly record struct ResourceCount(double Luts, double FlipFlops, double Dsps, double Bram36, double Carry)
{
    public static ResourceCount operator +(ResourceCount a, ResourceCount b) =>
        new(a.Luts + b.Luts, a.FlipFlops + b.FlipFlops, a.Dsps + b.Dsps, a.Bram36 + b.Bram36, a.Carry + b.Carry);

    /// <summary>Counts from a yosys cell-type histogram.</summary>
    public static ResourceCount FromCells(IReadOnlyDictionary<string, long> cells)
    {
        double luts = 0, ffs = 0, dsps = 0, bram = 0, carry = 0;
        foreach (var (type, n) in cells)
        {
            switch (type)
            {
                case "INV" or "SRL16E" or "SRLC16E" or "SRLC32E" or "RAM32X1S" or "RAM64X1S" or "RAM32X1D" or "RAM64X1D":
                    luts += type.EndsWith('D') ? 2 * n : n;
                    break;
                case "RAM32M" or "RAM64M" or "RAM128X1D" or "RAM256X1S" or "RAM128X1S":
                    luts += type is "RAM128X1S" ? 2 * n : 4 * n;
                    break;
                case "RAM32M16" or "RAM64M8":
                    luts += 8 * n;
                    break;
                case "CARRY4" or "CARRY8":
                    carry += n;
                    break;
                case "DSP48E1" or "DSP48E2":
                    dsps += n;
                    break;
                case "RAMB36E1" or "RAMB36E2":
                    bram += n;
                    break;
                case "RAMB18E1" or "RAMB18E2":
                    bram += 0.5 * n;
                    break;
                default:
                    if (type.StartsWith("LUT", StringComparison.Ordinal)) luts += n;
                    else if (type.StartsWith("FD", StringComparison.Ordinal) || type.StartsWith("LD", StringComparison.Ordinal)) ffs += n;
                    break;
            }
        }
        return new ResourceCount(luts, ffs, dsps, bram, carry);
    }
}
