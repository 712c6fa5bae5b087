using MixQ.Hardware.Cost;
using MixQ.Hardware.Synthesis;

namespace MixQ.Hardware.Tests.Synthesis;

public sealed class YosysTests
{
    [Fact]
    public void StatJsonIsReadIntoCellCounts()
    {
        const string json = """
            {"creator":"Yosys 0.23","modules":{"\\top":{"num_cells_by_type":{"LUT2":1,"LUT6":14}}},
             "design":{"num_cells":40,"num_cells_by_type":{"CARRY4":2,"LUT2":1,"LUT4":4,"LUT5":5,"LUT6":14,"MUXF7":10,"MUXF8":4,"FDRE":7,"DSP48E1":1,"RAMB36E1":1}}}
            """;
        Assert.Equal(new SynthesisStats(24, 7, 2, 14, 1, 2), Yosys.ParseStat(json, "stat.json"));
    }

    [Fact]
    public void GeneratedShiftAddExpressionsUseTheCsdDigits()
    {
        Assert.Equal("(xe << 3) - xe", CalibrationBlocks.ShiftAdd("xe", 7));
        Assert.Equal("(xe << 4) - (xe << 2) - xe", CalibrationBlocks.ShiftAdd("xe", 11));
        Assert.Equal("(xe << 2)", CalibrationBlocks.ShiftAdd("xe", 4));
    }

    /// <summary>
    /// Tool in the loop: re-synthesizes two small blocks with the installed yosys and checks them against the shipped
    /// table (yosys is deterministic for a given version, so a different count means a different tool or flow).
    /// Without yosys the test passes only outside CI (CI installs it).
    /// </summary>
    [Fact]
    public void ResynthesizedBlocksMatchTheCalibrationTable()
    {
        if (Yosys.Find() is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") is null, "yosys must be installed in CI (scripts/install-deps.sh)");
            return;
        }
        var table = CalibrationTable.Default;
        foreach (var block in new[] { CalibrationBlocks.Sp2Runtime(4, 4), CalibrationBlocks.Adder(16) })
        {
            var measured = Yosys.Synthesize(block);
            var expected = table[block.Name];
            Assert.InRange(measured.Luts, expected.Luts * 0.9 - 1, expected.Luts * 1.1 + 1);
            Assert.Equal(expected.Dsps, measured.Dsps);
        }
    }
}
