using System.Diagnostics;
using MixQ.Hardware.Cost;
using MixQ.Hardware.Synthesis;

namespace MixQ.Hardware.Tests.Synthesis;

/// <summary>
/// Tool in the loop: the calibration blocks compute what they claim. Each testbench drives every input combination,
/// compares the block's outputs with plain Verilog arithmetic (multiplication of the unpacked operands), and prints
/// the number of mismatches. Runs when Icarus Verilog is installed (CI installs it); outside CI it passes without it.
/// </summary>
public sealed class CalibrationBlockSimulationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mixq-sim-" + Guid.NewGuid().ToString("N"));

    public CalibrationBlockSimulationTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RuntimeSp2AndPotUnitsMultiplyByTheDecodedLevel()
    {
        // SP2-4: sign, e1 (2 bits), e2 (1 bit); magnitude on the x8 grid is 2^(3-e1) + 2^(3-e2), a zero field a zero term.
        Check(CalibrationBlocks.Sp2Runtime(4, 4), """
            reg [3:0] c; reg [3:0] x; wire signed [8:0] p; integer i, j, bad, m;
            top dut(.c(c), .x(x), .p(p));
            initial begin bad = 0;
              for (i = 0; i < 16; i = i + 1) for (j = 0; j < 16; j = j + 1) begin
                c = i; x = j; #1;
                m = (c[2:1] == 0 ? 0 : (j << (3 - c[2:1]))) + (c[0] == 0 ? 0 : (j << 2));
                if (p !== (c[3] ? -m : m)) bad = bad + 1;
              end
              $display("mismatches %0d", bad); end
            """);
        // PoT-4: sign, e (3 bits): e = 0 is zero, else magnitude 2^(7 - e) on the x64 grid.
        Check(CalibrationBlocks.PotRuntime(4, 4), """
            reg [3:0] c; reg [3:0] x; wire signed [10:0] p; integer i, j, bad, m;
            top dut(.c(c), .x(x), .p(p));
            initial begin bad = 0;
              for (i = 0; i < 16; i = i + 1) for (j = 0; j < 16; j = j + 1) begin
                c = i; x = j; #1;
                m = c[2:0] == 0 ? 0 : (j << (7 - c[2:0]));
                if (p !== (c[3] ? -m : m)) bad = bad + 1;
              end
              $display("mismatches %0d", bad); end
            """);
    }

    [Fact]
    public void ConstantShiftAddBlocksMultiplyByEveryLevel()
    {
        var block = CalibrationBlocks.Constants(Quantization.NumberSystems.NumberFormat.Fixed(5), 4);
        var magnitudes = IntegerLevels.Magnitudes(Quantization.NumberSystems.NumberFormat.Fixed(5));
        var decl = string.Join("\n", magnitudes.Select((c, i) => $"reg [3:0] x{i}; wire [{CalibrationBlocks.ConstantProductBits(c, 4) - 1}:0] p{i};"));
        var ports = string.Join(", ", magnitudes.Select((_, i) => $".x{i}(x{i}), .p{i}(p{i})"));
        var drive = string.Join(" ", magnitudes.Select((_, i) => $"x{i} = j;"));
        var check = string.Join("\n", magnitudes.Select((c, i) => $"if (p{i} !== j * {c}) bad = bad + 1;"));
        Check(block, $$"""
            {{decl}}
            integer j, bad;
            top dut({{ports}});
            initial begin bad = 0;
              for (j = 0; j < 16; j = j + 1) begin {{drive}} #1;
              {{check}}
              end
              $display("mismatches %0d", bad); end
            """);
    }

    [Fact]
    public void PackedDspBlocksReturnEveryProduct()
    {
        // Fixed-point weights are symmetric (|w| <= 2^(m-1) - 1, methods.md §1), which is what lets the packed word fit
        // S + m bits. Two 8-bit weights sharing a 4-bit activation: wp = w1 * 2^12 + w2, p0 = w2 * x, p1 = w1 * x.
        Check(CalibrationBlocks.PackedDsp(2, 8, 4), """
            reg signed [19:0] wp; reg [3:0] x; wire signed [11:0] p0, p1; integer w1, w2, j, bad;
            top dut(.wp(wp), .x(x), .p0(p0), .p1(p1));
            initial begin bad = 0;
              for (w1 = -127; w1 < 128; w1 = w1 + 1) for (w2 = -127; w2 < 128; w2 = w2 + 1) for (j = 0; j < 16; j = j + 1) begin
                wp = w1 * 4096 + w2; x = j; #1;
                if (p0 !== w2 * j || p1 !== w1 * j) bad = bad + 1;
              end
              $display("mismatches %0d", bad); end
            """);
        // Four 4-bit products of a 2x2 outer product: wp = w1 + w2 * 2^8; lanes x1w1, x1w2, x2w1, x2w2.
        Check(CalibrationBlocks.PackedDsp(4, 4, 4), """
            reg [3:0] x1, x2; reg signed [11:0] wp; wire signed [7:0] p0, p1, p2, p3; integer a, b, w1, w2, bad;
            top dut(.x1(x1), .x2(x2), .wp(wp), .p0(p0), .p1(p1), .p2(p2), .p3(p3));
            initial begin bad = 0;
              for (a = 0; a < 16; a = a + 1) for (b = 0; b < 16; b = b + 1)
                for (w1 = -7; w1 < 8; w1 = w1 + 1) for (w2 = -7; w2 < 8; w2 = w2 + 1) begin
                  x1 = a; x2 = b; wp = w1 + w2 * 256; #1;
                  if (p0 !== a * w1 || p1 !== a * w2 || p2 !== b * w1 || p3 !== b * w2) bad = bad + 1;
                end
              $display("mismatches %0d", bad); end
            """);
    }

    private void Check(CalibrationBlock block, string testbenchBody)
    {
        string? iverilog = Find("iverilog"), vvp = Find("vvp");
        if (iverilog is null || vvp is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") is null, "iverilog must be installed in CI (scripts/install-deps.sh)");
            return;
        }
        string dut = Path.Combine(_dir, block.Name + ".v");
        string tb = Path.Combine(_dir, block.Name + "_tb.v");
        string sim = Path.Combine(_dir, block.Name + ".vvp");
        File.WriteAllText(dut, block.Verilog);
        File.WriteAllText(tb, "module tb;\n" + testbenchBody + "\nendmodule\n");
        var compile = Run(iverilog, "-g2012", "-o", sim, tb, dut);
        Assert.True(compile.Code == 0, compile.Output);
        var run = Run(vvp, "-n", sim);
        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("mismatches 0", run.Output);
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Where(d => d.Length > 0).Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static (int Code, string Output) Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }
}
