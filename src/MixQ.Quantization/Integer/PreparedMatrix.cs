namespace MixQ.Quantization.Integer;

/// <summary>
/// A Dense or Conv2d weight matrix made ready for the exact 64-bit path of <see cref="IntegerEngine"/> (the reference,
/// and the fallback for layers <see cref="PackedMatrix"/> cannot take): fixed-point and multiplicand (HGQ) rows multiply,
/// PoT and SP2 rows shift and add (<see cref="ShiftCode"/>).
/// </summary>
internal sealed class PreparedMatrix
{
    public PreparedMatrix(IntegerWeights weights, long[] bias)
    {
        Rows = weights.Rows;
        Length = weights.RowLength;
        Bias = bias;
        var values = weights.Values();
        IsFixedRow = new bool[Rows];
        Multiplicands = values;
        Shifts = new ShiftCode[values.Length];
        for (int r = 0; r < Rows; r++)
        {
            IsFixedRow[r] = weights.MultipliesRow(r);
            if (IsFixedRow[r]) continue;
            var format = weights.RowFormats[r];
            for (int j = 0; j < Length; j++)
                Shifts[r * Length + j] = ShiftCode.From(format, weights.RowFrames[r], weights.Code(r, j));
        }
    }

    public int Rows { get; }
    public int Length { get; }
    public long[] Bias { get; }
    public bool[] IsFixedRow { get; }
    public long[] Multiplicands { get; }
    public ShiftCode[] Shifts { get; }

    /// <summary>out[i * rowStride + o * colStride] = Σ_k x[i * Length + k] * v[o, k] + Bias[o] for i &lt; count.</summary>
    public void RunWide(ReadOnlySpan<long> x, int count, Span<long> output, int rowStride, int colStride)
    {
        var mult = Multiplicands;
        var shifts = Shifts;
        var fixedRow = IsFixedRow;
        for (int i = 0; i < count; i++)
        {
            var xi = x.Slice(i * Length, Length);
            for (int o = 0; o < Rows; o++)
            {
                long acc = Bias[o];
                int w = o * Length;
                if (fixedRow[o])
                    for (int k = 0; k < Length; k++) acc += xi[k] * mult[w + k];
                else
                    for (int k = 0; k < Length; k++) acc += shifts[w + k].Apply(xi[k]);
                output[i * rowStride + o * colStride] = acc;
            }
        }
    }
}
