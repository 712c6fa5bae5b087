using MixQ.Codegen.Hls;
using MixQ.Codegen.Tools;

namespace MixQ.Codegen.Simulation;

/// <summary>Compiles a design's HLS C++ testbench with g++ (-O1) and runs it on DIR/vectors.</summary>
public static class HlsRunner
{
    public static SimulationResult Run(string designFolder, TimeSpan? timeout = null)
    {
        string hls = Path.Combine(designFolder, HlsWriter.Folder);
        var limit = timeout ?? TimeSpan.FromMinutes(20);
        var build = ExternalTool.RunChecked("g++", ["-std=c++17", "-O1", "-o", "tb_hls", HlsWriter.TestbenchFile], hls, limit);
        var run = ExternalTool.Run(Path.Combine(hls, "tb_hls"), [Path.Combine(designFolder, "vectors")], hls, limit);
        if (run.ExitCode is not (0 or 1)) throw new MixQException($"HLS testbench failed with exit code {run.ExitCode}: {run.StandardError.Trim()}");
        return SimulationResult.Parse(run.StandardOutput, build.Elapsed, run.Elapsed);
    }
}
