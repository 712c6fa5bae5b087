using MixQ.Codegen.Design;
using MixQ.Codegen.Tools;

namespace MixQ.Codegen.Simulation;

/// <summary>Builds a design's Verilator testbench (in DIR/sim/obj_dir) and runs it on DIR/vectors.</summary>
public static class VerilatorRunner
{
    public static SimulationResult Run(string designFolder, bool stall = false, int limit = -1, TimeSpan? timeout = null)
    {
        var manifest = DesignManifest.Read(designFolder);
        string sim = Path.Combine(designFolder, VerilatorTestbench.Folder);
        var limitTime = timeout ?? TimeSpan.FromMinutes(30);
        var build = ExternalTool.RunChecked("verilator", VerilatorTestbench.BuildArguments(manifest), sim, limitTime);
        var args = new List<string> { Path.Combine(designFolder, "vectors") };
        if (stall) args.Add("--stall");
        if (limit >= 0) { args.Add("--limit"); args.Add(limit.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        var run = ExternalTool.Run(Path.Combine(sim, "obj_dir", "Vtb"), args, sim, limitTime);
        if (run.ExitCode is not (0 or 1)) throw new MixQException($"Verilator testbench failed with exit code {run.ExitCode}: {run.StandardError.Trim()}");
        return SimulationResult.Parse(run.StandardOutput, build.Elapsed, run.Elapsed);
    }
}
