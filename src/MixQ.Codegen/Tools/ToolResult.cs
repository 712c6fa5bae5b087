namespace MixQ.Codegen.Tools;

/// <summary>The outcome of one external tool run.</summary>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;
}
