using System.Globalization;
using System.Numerics;
using System.Text;
using MixQ.Codegen.Hls;
using MixQ.Codegen.Tests.Support;
using MixQ.Codegen.Tools;

namespace MixQ.Codegen.Tests.Hls;

/// <summary>
/// mixq_fixed.h compiled with g++ and run on conversions and arithmetic whose expected codes come from the C#
/// reference <see cref="FixedType"/> (BigInteger division, independent of the header's shifts).
/// </summary>
public sealed class FixedHeaderTests
{
    private static readonly FixedType[] Targets = BuildTargets();

    [Fact]
    public void MethodsDocExamplesHoldInTheReference()
    {
        // methods.md §5: fixed<3,2> round + saturate maps 1.25 to 1.5; fixed<4,4> saturating maps 19 to 7, -19 to -8.
        var t32 = new FixedType(3, 2, true, QuantMode.Rnd, OverflowMode.Sat);
        Assert.Equal(1.5, t32.ToDouble(t32.Convert(1.25)));
        var t44 = new FixedType(4, 4, true, QuantMode.Trn, OverflowMode.Sat);
        Assert.Equal(7, t44.Convert(19.0));
        Assert.Equal(-8, t44.Convert(-19.0));
        // Wrap keeps the low bits: 19 = 0b10011 -> 0b0011 = 3; -19 -> 0b1101 = -3.
        var w44 = new FixedType(4, 4, true);
        Assert.Equal(3, w44.Convert(19.0));
        Assert.Equal(-3, w44.Convert(-19.0));
        // Ties: 2.5 and -2.5 under each rounding mode.
        Assert.Equal([2, 2, 3, 2, 2, 3, 2], Enum.GetValues<QuantMode>().Select(q => (int)new FixedType(8, 8, true, q).Convert(2.5)));
        Assert.Equal([-3, -2, -2, -2, -3, -3, -2], Enum.GetValues<QuantMode>().Select(q => (int)new FixedType(8, 8, true, q).Convert(-2.5)));
    }

    [SkippableFact]
    public void HeaderConversionsMatchTheReferenceBitForBit()
    {
        Tool.Require("g++");
        var rng = new Random(20261201);
        var source = new FixedType(24, 10, true); // codes with 14 fraction bits
        var program = new StringBuilder();
        var expected = new List<string>();
        program.AppendLine("#include <cstdio>\n#include \"mixq_fixed.h\"\nint main() {");
        program.AppendLine($"  typedef {source.CppName} Src;");
        for (int t = 0; t < Targets.Length; t++)
        {
            var target = Targets[t];
            program.AppendLine($"  {{ typedef {target.CppName} T;");
            for (int k = 0; k < 40; k++)
            {
                // Codes near rounding ties and across the overflow boundaries, plus plain random ones.
                long code = k switch
                {
                    < 10 => (rng.Next(-200, 200) << 13) + (k % 2 == 0 ? 1 << 12 : 0),
                    < 20 => rng.NextInt64(-(1L << 23), 1L << 23),
                    _ => rng.Next(-5000, 5000) * (1L << rng.Next(0, 6)),
                };
                program.AppendLine(CultureInfo.InvariantCulture, $"    printf(\"%lld\\n\", (long long)T(Src::from_raw({code}LL)).raw());");
                expected.Add(target.Convert(code, source.FractionBits).ToString(CultureInfo.InvariantCulture));
                double real = Math.Round((rng.NextDouble() - 0.5) * Math.ScaleB(1.0, target.IntegerBits + 2), 6);
                if (k % 4 == 0) real = Math.ScaleB(Math.Round(real * 4), -2) + Math.ScaleB(1.0, -target.FractionBits - 1); // a tie
                program.AppendLine(CultureInfo.InvariantCulture, $"    printf(\"%lld\\n\", (long long)T({real:R}).raw());");
                expected.Add(target.Convert(real).ToString(CultureInfo.InvariantCulture));
            }
            program.AppendLine("  }");
        }
        program.AppendLine("  return 0;\n}");
        Assert.Equal(expected, CompileAndRun(program.ToString()));
    }

    [SkippableFact]
    public void HeaderArithmeticIsExactAndComparisonsAlign()
    {
        Tool.Require("g++");
        var rng = new Random(7);
        var a = new FixedType(9, 4, true);   // 5 fraction bits, signed
        var b = new FixedType(7, 5, false);  // 2 fraction bits, unsigned
        var program = new StringBuilder("#include <cstdio>\n#include \"mixq_fixed.h\"\nint main() {\n");
        program.AppendLine($"  typedef {a.CppName} A; typedef {b.CppName} B;");
        var expected = new List<string>();
        for (int k = 0; k < 60; k++)
        {
            long x = rng.Next(-256, 256), y = rng.Next(0, 128);
            program.AppendLine(CultureInfo.InvariantCulture,
                $"  {{ A x = A::from_raw({x}); B y = B::from_raw({y}); printf(\"%.17g %.17g %.17g %d %d\\n\", (x + y).to_double(), (x - y).to_double(), (x * y).to_double(), (int)(x < y), (int)(x == y)); }}");
            double xv = a.ToDouble(x), yv = b.ToDouble(y);
            expected.Add(string.Create(CultureInfo.InvariantCulture,
                $"{Fmt(xv + yv)} {Fmt(xv - yv)} {Fmt(xv * yv)} {(xv < yv ? 1 : 0)} {(xv == yv ? 1 : 0)}"));
        }
        program.AppendLine("  return 0;\n}");
        Assert.Equal(expected, CompileAndRun(program.ToString()));
    }

    private static string Fmt(double v) => CppG17(v);

    // printf("%.17g") formatting of an exactly representable value, reproduced in C#.
    private static string CppG17(double v)
    {
        if (v == 0) return "0";
        string s = v.ToString("G17", CultureInfo.InvariantCulture);
        return s.Contains('E') ? double.Parse(s, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture) : s;
    }

    private static FixedType[] BuildTargets()
    {
        var list = new List<FixedType>();
        var shapes = new (int W, int I, bool S)[] { (8, 3, true), (6, 6, false), (4, 4, true), (10, 1, true), (5, 7, true), (12, 5, false), (3, 2, true), (16, -2, true) };
        foreach (var (w, i, s) in shapes)
            foreach (var q in Enum.GetValues<QuantMode>())
                foreach (var o in Enum.GetValues<OverflowMode>())
                    list.Add(new FixedType(w, i, s, q, o));
        return [.. list];
    }

    internal static List<string> CompileAndRun(string source)
    {
        using var folder = new TempFolder("fixed");
        File.WriteAllText(folder.File(FixedHeader.FileName), FixedHeader.Text);
        File.WriteAllText(folder.File("main.cpp"), source);
        ExternalTool.RunChecked("g++", ["-std=c++17", "-O0", "-o", "main", "main.cpp"], folder.Path, TimeSpan.FromMinutes(5));
        var run = ExternalTool.RunChecked(folder.File("main"), [], folder.Path, TimeSpan.FromMinutes(1));
        return [.. run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
