namespace MixQ.Codegen.Verilog;

/// <summary>
/// Line-buffer window generation for streaming Conv2d and pooling: pixels (all channels in one beat) arrive in
/// row-major order; a counter walks the zero-padded frame, inserting zero pixels at padded positions without
/// consuming input; a shift register of (K-1) padded rows + K pixels holds the K x K window ending at the newest
/// pixel. A window is valid when it lies inside the frame on the stride grid. One pixel enters per cycle, so a
/// frame takes (H + 2p)(W + 2p) cycles; the arithmetic behind it sees one window per cycle at most.
/// </summary>
internal sealed class WindowGenerator(StagePorts input, int kernel, int stride, int padding)
{
    public int Kernel => kernel;
    public int PaddedHeight => input.Height + 2 * padding;
    public int PaddedWidth => input.Width + 2 * padding;
    public int PixelBits => input.DataBits;
    public int Entries => (kernel - 1) * PaddedWidth + kernel;

    /// <summary>Declares the buffer and counters; expects `en` declared; defines in_ready and the registered window-valid flag `wv`.</summary>
    public void Emit(VerilogText w)
    {
        int rowBits = IntType.CounterBits(PaddedHeight), colBits = IntType.CounterBits(PaddedWidth);
        w.Line($"reg [{rowBits - 1}:0] row;");
        w.Line($"reg [{colBits - 1}:0] col;");
        w.Line($"reg [{Entries * PixelBits - 1}:0] lb;");
        w.Line("reg wv;");
        string interior = padding == 0 ? "1'b1"
            : $"(row >= {padding} && row < {padding + input.Height} && col >= {padding} && col < {padding + input.Width})";
        w.Line($"wire interior = {interior};");
        w.Line("wire take = en && (interior ? in_valid : 1'b1);");
        w.Line("assign in_ready = en && interior;");
        w.Line($"wire [{PixelBits - 1}:0] pixel = interior ? in_data : {PixelBits}'d0;");
        w.Line($"wire on_grid = row >= {kernel - 1} && col >= {kernel - 1}"
            + (stride > 1 ? $" && ((row - {kernel - 1}) % {stride}) == 0 && ((col - {kernel - 1}) % {stride}) == 0;" : ";"));
        w.Line("always @(posedge clk) begin");
        w.Indent();
        w.Line("if (rst) begin");
        w.Line("  row <= 0; col <= 0; wv <= 1'b0;");
        w.Line("end else if (en) begin");
        w.Indent();
        w.Line("wv <= take && on_grid;");
        w.Line("if (take) begin");
        w.Line($"  if (col == {PaddedWidth - 1}) begin col <= 0; row <= (row == {PaddedHeight - 1}) ? 0 : row + 1; end");
        w.Line("  else col <= col + 1;");
        w.Line("end");
        w.Outdent();
        w.Line("end");
        w.Outdent();
        w.Line("end");
        w.Line(Entries == 1
            ? "always @(posedge clk) if (take) lb <= pixel;"
            : $"always @(posedge clk) if (take) lb <= {{lb[{(Entries - 1) * PixelBits - 1}:0], pixel}};");
    }

    /// <summary>Verilog part-select of channel <paramref name="c"/> at window position (i, j) (row i, column j of the K x K window).</summary>
    public string Tap(int c, int i, int j)
    {
        int entry = (kernel - 1 - i) * PaddedWidth + (kernel - 1 - j);
        int bits = input.Element.Bits;
        return $"lb[{entry * PixelBits + c * bits} +: {bits}]";
    }
}
