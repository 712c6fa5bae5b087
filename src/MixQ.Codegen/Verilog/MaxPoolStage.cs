namespace MixQ.Codegen.Verilog;

/// <summary>Streaming max pooling (no padding): the same line buffer as the convolution, a max tree per channel, one register.</summary>
internal sealed class MaxPoolStage(string module, IReadOnlyList<string> layers, StagePorts input, StagePorts output, int kernel, int stride)
    : UnrolledStage(module, layers, input, output)
{
    private readonly WindowGenerator _window = new(input, kernel, stride, 0);

    public override int Latency => 2;

    /// <summary>The line buffer and the window size (for the cost prediction of the generated design).</summary>
    internal WindowGenerator Window => _window;

    internal int Kernel => kernel;

    public override void Emit(VerilogText w)
    {
        EmitHeader(w, $"max pool {kernel}x{kernel} stride {stride} over {In.Channels}x{In.Height}x{In.Width}; line buffer");
        w.Indent();
        w.Line("reg v1;");
        w.Line("wire en = !v1 || out_ready;");
        w.Line("assign out_valid = v1;");
        _window.Emit(w);
        int bits = In.Element.Bits;
        string cmp = In.Element.Signed ? "$signed({0}) > $signed({1})" : "{0} > {1}";
        for (int c = 0; c < In.Channels; c++)
        {
            // Left-to-right running maximum over the window (the tree shape is left to synthesis).
            string current = _window.Tap(c, 0, 0);
            for (int k = 1; k < kernel * kernel; k++)
            {
                string tap = _window.Tap(c, k / kernel, k % kernel);
                w.Line($"wire [{bits - 1}:0] m_{c}_{k} = ({string.Format(System.Globalization.CultureInfo.InvariantCulture, cmp, tap, current)}) ? {tap} : {current};");
                current = $"m_{c}_{k}";
            }
            w.Line($"reg [{bits - 1}:0] out_{c};");
            w.Line($"always @(posedge clk) if (en && wv) out_{c} <= {current};");
            w.Line($"assign out_data[{c * bits} +: {bits}] = out_{c};");
        }
        w.Line("always @(posedge clk) begin");
        w.Line("  if (rst) v1 <= 1'b0;");
        w.Line("  else if (en) v1 <= wv;");
        w.Line("end");
        w.Outdent();
        w.Line("endmodule");
    }
}
