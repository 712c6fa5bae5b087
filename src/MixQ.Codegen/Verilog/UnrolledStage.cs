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
        w.Line($"module {Module} (");
        w.Indent();
        w.Line("input  wire clk,");
        w.Line("input  wire rst,");
        w.Line("input  wire in_valid,");
        w.Line("output wire in_ready,");
        w.Line($"input  wire [{In.DataBits - 1}:0] in_data,");
        w.Line("output wire out_valid,");
        w.Line("input  wire out_ready,");
        w.Line($"output wire [{Out.DataBits - 1}:0] out_data");
        w.Outdent();
        w.Line(");");
    }
}
