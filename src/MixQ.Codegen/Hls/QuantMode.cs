namespace MixQ.Codegen.Hls;

/// <summary>How a fixed-point conversion drops fraction bits (names as in mixq_fixed.h).</summary>
public enum QuantMode
{
    /// <summary>Toward minus infinity (floor); the default.</summary>
    Trn,
    /// <summary>Toward zero.</summary>
    TrnZero,
    /// <summary>Nearest, ties toward plus infinity (round half up).</summary>
    Rnd,
    /// <summary>Nearest, ties toward zero.</summary>
    RndZero,
    /// <summary>Nearest, ties toward minus infinity.</summary>
    RndMinInf,
    /// <summary>Nearest, ties away from zero.</summary>
    RndInf,
    /// <summary>Nearest, ties to even (convergent).</summary>
    RndConv,
}
