namespace MixQ.Codegen.Hls;

/// <summary>What a fixed-point conversion does with an integer part that does not fit (names as in mixq_fixed.h).</summary>
public enum OverflowMode
{
    /// <summary>Keep the low bits (two's-complement wrap); the default.</summary>
    Wrap,
    /// <summary>Clamp to [min, max].</summary>
    Sat,
    /// <summary>Out-of-range values become zero.</summary>
    SatZero,
    /// <summary>Signed: clamp to [-max, max]; unsigned: as <see cref="Sat"/>.</summary>
    SatSym,
}
