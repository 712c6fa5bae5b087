using MixQ.Codegen.Tools;

namespace MixQ.Codegen.Tests.Support;

/// <summary>Tool-in-the-loop tests skip with a clear reason when the tool is not installed (CI installs it).</summary>
internal static class Tool
{
    public static void Require(string name) =>
        Skip.IfNot(ExternalTool.IsAvailable(name), $"{name} is not installed (scripts/install-deps.sh installs it; CI has it)");
}
