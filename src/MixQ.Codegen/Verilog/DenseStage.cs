using MixQ.Codegen.Arithmetic;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// A fully unrolled Dense layer with constant weights: one vector in, one vector out, every output row a
/// shift-add sum over all inputs (see <see cref="MacPipeline"/>). Initiation interval 1, latency 3.
/// </summary>
internal sealed class DenseStage(string module, IReadOnlyList<string> layers, StagePorts input, StagePorts output,
    IReadOnlyList<List<ShiftAddTerm>> rows, long[] bias, int accBits, Requant[] requant)
    : UnrolledStage(module, layers, input, output)
{
    private readonly MacPipeline _mac = new(Enumerable.Repeat(input.Element, input.Lanes).ToArray(), rows, bias, accBits, requant, output.Element);

    public override int Latency => _mac.Depth;

    /// <summary>The arithmetic (for the cost prediction of the generated design).</summary>
    internal MacPipeline Mac => _mac;

    public override void Emit(VerilogText w)
    {
        EmitHeader(w, $"dense {In.Lanes} -> {Out.Lanes}, constant shift-add weights, {accBits}-bit accumulators");
        w.Indent();
        _mac.EmitDeclarations(w);
        w.Line("assign in_ready = en;");
        for (int i = 0; i < In.Lanes; i++)
            w.Line($"wire [{In.Element.Bits - 1}:0] t_{i} = in_data[{i * In.Element.Bits} +: {In.Element.Bits}];");
        _mac.EmitTapExtensions(w);
        _mac.EmitPipeline(w, "in_valid");
        w.Outdent();
        w.Line("endmodule");
    }
}
