namespace MixQ.Quantization.Hgq;

/// <summary>What happens to a code outside its format's range (methods.md §5).</summary>
public enum OverflowMode
{
    /// <summary>Keep the low bits (two's complement wrap-around), as a plain register does (AP_WRAP).</summary>
    Wrap,

    /// <summary>Clamp to [min code, max code] (AP_SAT).</summary>
    Saturate,

    /// <summary>Clamp to [-max code, max code]: signed formats lose their most negative code (AP_SAT_SYM).</summary>
    SymmetricSaturate,
}
