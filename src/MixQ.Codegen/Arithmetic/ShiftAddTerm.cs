namespace MixQ.Codegen.Arithmetic;

/// <summary>One term of a constant-weight dot product: ±(input[Input] &lt;&lt; Shift).</summary>
public readonly record struct ShiftAddTerm(int Input, int Shift, bool Negative);
