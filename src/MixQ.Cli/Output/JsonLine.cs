using System.Text.Json;
using System.Text.Json.Nodes;

namespace MixQ.Cli.Output;

/// <summary>Writes the one JSON object that `--json` promises as the last line of standard output.</summary>
public static class JsonLine
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static void Write(JsonObject obj) => Console.Out.WriteLine(obj.ToJsonString(Options));
}
