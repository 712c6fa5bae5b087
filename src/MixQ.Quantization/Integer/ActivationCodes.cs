namespace MixQ.Quantization.Integer;

/// <summary>
/// The integer range of a layer's input codes: unsigned b-bit codes 0..2^b - 1 (after ReLU) or signed symmetric
/// codes -(2^(b-1) - 1)..2^(b-1) - 1. The code 0 is the real value 0 in both.
/// </summary>
public sealed record ActivationCodes(int Bits, bool Signed)
{
    /// <summary>Largest code: 2^b - 1 unsigned, 2^(b-1) - 1 signed (also the number of steps from 0 to the clip).</summary>
    public int MaxCode => Signed ? (1 << (Bits - 1)) - 1 : (1 << Bits) - 1;

    public int MinCode => Signed ? -MaxCode : 0;

    public ActivationCodes Validate(string where)
    {
        if (Bits is < 2 or > 8) throw new MixQException($"{where}: activation bits must be 2..8, got {Bits}");
        return this;
    }

    public override string ToString() => $"{(Signed ? "s" : "u")}{Bits}";
}
