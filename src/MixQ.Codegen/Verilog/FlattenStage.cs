namespace MixQ.Codegen.Verilog;

/// <summary>
/// Collects a pixel stream into one vector in [C, H, W] order (the float model's flatten): one shift register
/// per channel plane, so element c*H*W + p ends where pixel p's channel c belongs with wiring only (no address
/// decoding). Holds one frame; accepts the next frame once the vector has been taken.
/// </summary>
internal sealed class FlattenStage(string module, IReadOnlyList<string> layers, StagePorts input, StagePorts output)
    : UnrolledStage(module, layers, input, output)
{
    public override int Latency => 1;

    public override void Emit(VerilogText w)
    {
        int bits = In.Element.Bits, pixels = In.Beats, channels = In.Lanes;
        EmitHeader(w, $"flatten {channels} x {pixels} pixels -> vector of {Out.Lanes}");
        w.Indent();
        int countBits = IntType.CounterBits(pixels);
        w.Line($"reg [{countBits - 1}:0] count;");
        w.Line("reg full;");
        w.Line("assign in_ready = !full;");
        w.Line("assign out_valid = full;");
        w.Line("wire take = in_valid && !full;");
        w.Line("always @(posedge clk) begin");
        w.Indent();
        w.Line("if (rst) begin");
        w.Line("  count <= 0; full <= 1'b0;");
        w.Line("end else begin");
        w.Line("  if (full && out_ready) full <= 1'b0;");
        w.Line($"  if (take) begin count <= (count == {pixels - 1}) ? 0 : count + 1; if (count == {pixels - 1}) full <= 1'b1; end");
        w.Line("end");
        w.Outdent();
        w.Line("end");
        for (int c = 0; c < channels; c++)
        {
            int plane = pixels * bits;
            w.Line($"reg [{plane - 1}:0] plane_{c};");
            w.Line(pixels == 1
                ? $"always @(posedge clk) if (take) plane_{c} <= in_data[{c * bits} +: {bits}];"
                : $"always @(posedge clk) if (take) plane_{c} <= {{in_data[{c * bits} +: {bits}], plane_{c}[{plane - 1}:{bits}]}};");
            w.Line($"assign out_data[{c * plane} +: {plane}] = plane_{c};");
        }
        w.Outdent();
        w.Line("endmodule");
    }
}
