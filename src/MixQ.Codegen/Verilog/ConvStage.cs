using MixQ.Codegen.Arithmetic;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// A streaming Conv2d with constant weights: a line buffer (<see cref="WindowGenerator"/>) presents one K x K x C
/// window per cycle and all output channels are computed in parallel from it as shift-add sums
/// (<see cref="MacPipeline"/>). Design choice: streaming with an unrolled window rather than unrolling over
/// output pixels as well — LeNet's first layer alone has 784 output pixels, so a spatially unrolled design would
/// be ~800 times larger for a pixel rate the input port cannot feed anyway.
/// </summary>
internal sealed class ConvStage(string module, IReadOnlyList<string> layers, StagePorts input, StagePorts output,
    int kernel, int stride, int padding, IReadOnlyList<List<ShiftAddTerm>> rows, long[] bias, int accBits, Requant[] requant)
    : UnrolledStage(module, layers, input, output)
{
    private readonly WindowGenerator _window = new(input, kernel, stride, padding);
    private readonly MacPipeline _mac = new(Enumerable.Repeat(input.Element, input.Channels * kernel * kernel).ToArray(),
        rows, bias, accBits, requant, output.Element);

    public override int Latency => 1 + _mac.Depth;

    /// <summary>The line buffer and the arithmetic (for the cost prediction of the generated design).</summary>
    internal WindowGenerator Window => _window;

    internal MacPipeline Mac => _mac;

    public override void Emit(VerilogText w)
    {
        EmitHeader(w, $"conv2d {In.Channels}x{In.Height}x{In.Width} -> {Out.Channels}x{Out.Height}x{Out.Width}, kernel {kernel}, stride {stride}, padding {padding}; line buffer, constant shift-add weights, {accBits}-bit accumulators");
        w.Indent();
        _mac.EmitDeclarations(w);
        _window.Emit(w);
        int t = 0;
        for (int c = 0; c < In.Channels; c++)
            for (int i = 0; i < kernel; i++)
                for (int j = 0; j < kernel; j++)
                    w.Line($"wire [{In.Element.Bits - 1}:0] t_{t++} = {_window.Tap(c, i, j)};");
        _mac.EmitTapExtensions(w);
        _mac.EmitPipeline(w, "wv");
        w.Outdent();
        w.Line("endmodule");
    }
}
