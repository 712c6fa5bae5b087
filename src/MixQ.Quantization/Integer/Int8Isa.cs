namespace MixQ.Quantization.Integer;

/// <summary>
/// Instruction sets of <see cref="Int8Gemm"/>. All give the same integers: each computes exact int32 sums of
/// u8 x s8 products. (.NET 10 exposes AVX-VNNI's 256-bit vpdpbusd but not the 512-bit AVX512-VNNI form.)
/// </summary>
public enum Int8Isa
{
    /// <summary>Plain loops: the reference twin.</summary>
    Scalar,

    /// <summary>AVX2: vpdpbusd emulated exactly with two vpmaddwd on zero-/sign-extended 16-bit halves.</summary>
    Avx2,

    /// <summary>AVX-VNNI: vpdpbusd, four u8 x s8 products summed into each int32 lane, no saturation.</summary>
    AvxVnni,
}
