namespace MixQ.Hardware.Cost;

/// <summary>One non-zero digit of a canonical-signed-digit number: +-2^Shift.</summary>
public readonly record struct CsdDigit(int Shift, bool Negative);
