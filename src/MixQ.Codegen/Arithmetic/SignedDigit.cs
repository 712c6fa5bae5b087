namespace MixQ.Codegen.Arithmetic;

/// <summary>One term ±2^Shift of a shift-add decomposition: x * v = Σ ±(x &lt;&lt; Shift).</summary>
public readonly record struct SignedDigit(int Shift, bool Negative)
{
    public long Value => Negative ? -(1L << Shift) : 1L << Shift;
}
