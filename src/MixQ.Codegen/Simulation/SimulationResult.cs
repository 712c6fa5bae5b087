using System.Globalization;
using System.Text.RegularExpressions;

namespace MixQ.Codegen.Simulation;

/// <summary>The summary line of a generated testbench (Verilator or HLS C++).</summary>
public sealed partial record SimulationResult(int Samples, int Mismatches, int Missing, long Cycles, long Latency, double Interval, TimeSpan BuildTime, TimeSpan RunTime)
{
    public static SimulationResult Parse(string output, TimeSpan build, TimeSpan run)
    {
        var m = Summary().Match(output);
        if (!m.Success) throw new MixQException($"testbench printed no summary line: {output.Trim()}");
        int I(string g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        long L(string g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return new SimulationResult(I("s"), I("m"), I("x"), L("c"), L("l"), double.Parse(m.Groups["i"].Value, CultureInfo.InvariantCulture), build, run);
    }

    [GeneratedRegex(@"samples (?<s>\d+) mismatches (?<m>\d+) missing (?<x>\d+) cycles (?<c>\d+) latency (?<l>-?\d+) interval (?<i>[0-9.]+)")]
    private static partial Regex Summary();
}
