using MixQ.Codegen.Gemm;
using MixQ.Codegen.Verilog;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Design;

/// <summary>
/// A design the generator has built for one integer model: the unrolled pipeline or the GEMM engine (exactly one is
/// set), with the model it was built from (the HLS C++ is written from that model). Built once by
/// <see cref="DesignWriter.Build"/>, then written (<see cref="DesignWriter.Write(BuiltDesign, MixQ.Codegen.Vectors.TestVectors, string)"/>)
/// and priced (<see cref="CostPrediction.Compute(BuiltDesign)"/>) from the same object.
/// </summary>
public sealed class BuiltDesign
{
    private BuiltDesign(IntegerModel model, string architecture, UnrolledDesign? unrolled, GemmDesign? gemm)
    {
        Model = model;
        Architecture = architecture;
        Unrolled = unrolled;
        Gemm = gemm;
    }

    public static BuiltDesign Of(IntegerModel model, UnrolledDesign design) => new(model, "unrolled", design, null);

    public static BuiltDesign Of(IntegerModel model, GemmDesign design) => new(model, "gemm", null, design);

    public IntegerModel Model { get; }

    /// <summary>"unrolled" or "gemm" (<see cref="DesignWriter.Architectures"/>).</summary>
    public string Architecture { get; }

    public UnrolledDesign? Unrolled { get; }

    public GemmDesign? Gemm { get; }

    public DesignManifest Manifest() => Unrolled?.Manifest() ?? Gemm!.Manifest();
}
