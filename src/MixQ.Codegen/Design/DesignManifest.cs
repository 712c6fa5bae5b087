using System.Text.Json;
using System.Text.Json.Serialization;

namespace MixQ.Codegen.Design;

/// <summary>
/// design.json: what a generated design is, for the testbench, `mixq synth` and the user: the top module, how one
/// inference enters (<see cref="InputBeats"/> beats of <see cref="InputLanes"/> values) and leaves
/// (<see cref="OutputLanes"/> values in one beat), and which Verilog module implements which integer-model layers.
/// </summary>
public sealed record DesignManifest
{
    public const string FileName = "design.json";

    public required string Architecture { get; init; }
    public required string Model { get; init; }
    public required string Method { get; init; }
    public required string Top { get; init; }
    public required IReadOnlyList<string> VerilogFiles { get; init; }
    public required int InputLanes { get; init; }
    public required int InputBeats { get; init; }
    public required int InputBits { get; init; }
    public required bool InputSigned { get; init; }
    public required int OutputLanes { get; init; }
    public required int OutputBits { get; init; }
    public required bool OutputSigned { get; init; }
    public required IReadOnlyList<ModuleEntry> Modules { get; init; }

    public sealed record ModuleEntry(string Module, IReadOnlyList<string> Layers, string Kind);

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options).Replace("\r\n", "\n") + "\n";

    public static DesignManifest Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new MixQException($"{folder} is not a generated design (no {FileName}; run mixq generate first)");
        try
        {
            return JsonSerializer.Deserialize<DesignManifest>(File.ReadAllText(path), Options)
                ?? throw new MixQException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new MixQException($"{path} is not a valid design manifest: {e.Message}");
        }
    }
}
