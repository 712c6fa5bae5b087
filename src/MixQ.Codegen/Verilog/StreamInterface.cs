namespace MixQ.Codegen.Verilog;

/// <summary>
/// The port list every generated module shares, stage or top: clock, synchronous reset, an input stream and an output
/// stream, each with valid/ready handshaking (a beat moves when valid and ready are both high). One definition, so a
/// stage always plugs into the next and into the top-level wrapper.
/// </summary>
public static class StreamInterface
{
    /// <summary>Emits <c>module NAME ( ...ports... );</c>; the caller writes (and indents) the body.</summary>
    public static void EmitModuleHeader(VerilogText w, string module, int inBits, int outBits)
    {
        w.Line($"module {module} (");
        w.Indent();
        w.Line("input  wire clk,");
        w.Line("input  wire rst,");
        w.Line("input  wire in_valid,");
        w.Line("output wire in_ready,");
        w.Line($"input  wire [{inBits - 1}:0] in_data,");
        w.Line("output wire out_valid,");
        w.Line("input  wire out_ready,");
        w.Line($"output wire [{outBits - 1}:0] out_data");
        w.Outdent();
        w.Line(");");
    }
}
