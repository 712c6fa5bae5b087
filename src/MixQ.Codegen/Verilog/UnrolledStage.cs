namespace MixQ.Codegen.Verilog;

/// <summary>
/// One module of the unrolled design: valid/ready in, valid/ready out. Every stage is a stalling pipeline: all its
/// registers advance together on en = !last_valid || out_ready, so a full pipeline holds its data while the next
/// stage is busy and bubbles cost nothing when it is not. <see cref="Layers"/> names the integer-model layers it
/// implements (the synthesis report attributes its cells to them).
/// </summary>
public abstract class UnrolledStage(string module, IReadOnlyList<string> layers, StagePorts input, StagePorts output)
{
    public string Module { get; } = module;
    public IReadOnlyList<string> Layers { get; } = layers;
    public StagePorts In { get; } = input;
    public StagePorts Out { get; } = output;

    /// <summary>Registers between accepting a beat and presenting a result derived from it.</summary>
    public abstract int Latency { get; }

    public abstract void Emit(VerilogText w);

    protected void EmitHeader(VerilogText w, string summary)
    {
        w.Line($"// {summary}");
        w.Line($"// layers: {string.Join(", ", Layers)}");
        StreamInterface.EmitModuleHeader(w, Module, In.DataBits, Out.DataBits);
    }
}
