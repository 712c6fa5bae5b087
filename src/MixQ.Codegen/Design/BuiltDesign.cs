using MixQ.Codegen.Gemm;
using MixQ.Codegen.Verilog;

namespace MixQ.Codegen.Design;

/// <summary>
/// A design the generator has built for one integer model: the unrolled pipeline or the GEMM engine (exactly one is
/// set). Built once by <see cref="DesignWriter.Build"/>, then written (<see cref="DesignWriter.Write(MixQ.Quantization.Integer.IntegerModel, BuiltDesign, MixQ.Codegen.Vectors.TestVectors, string)"/>)
/// and priced (<see cref="CostPrediction.Compute(BuiltDesign)"/>) from the same object.
/// </summary>
public sealed record BuiltDesign
{
    private BuiltDesign(string architecture, UnrolledDesign? unrolled, GemmDesign? gemm)
    {
        Architecture = architecture;
        Unrolled = unrolled;
        Gemm = gemm;
    }

    public static BuiltDesign Of(UnrolledDesign design) => new("unrolled", design, null);

    public static BuiltDesign Of(GemmDesign design) => new("gemm", null, design);

    /// <summary>"unrolled" or "gemm" (<see cref="DesignWriter.Architectures"/>).</summary>
    public string Architecture { get; }

    public UnrolledDesign? Unrolled { get; }

    public GemmDesign? Gemm { get; }

    public DesignManifest Manifest() => Unrolled?.Manifest() ?? Gemm!.Manifest();
}
