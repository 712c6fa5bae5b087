namespace MixQ.Quantization.Hgq;

/// <summary>How a value is rounded to its fixed-point grid (methods.md §5; HLS tools call these quantization modes).</summary>
public enum RoundingMode
{
    /// <summary>Toward minus infinity: floor(x 2^f). The HLS default (AP_TRN); free in hardware (drop bits).</summary>
    Truncate,

    /// <summary>Nearest, ties toward plus infinity: floor(x 2^f + 1/2) (AP_RND). The HGQ default.</summary>
    RoundHalfUp,

    /// <summary>Nearest, ties to the even code (AP_RND_CONV, convergent rounding).</summary>
    RoundHalfEven,
}
