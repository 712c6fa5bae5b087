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
        // HGQ prunes most weights of a trained model (their multiplicand is 0): a mostly-zero matrix keeps each row's
        // non-zero (column, value) pairs and the 64-bit path sums only those — the same exact sums.
        long nonZero = values.LongCount(v => v != 0);
        if (weights.Encoding == WeightEncoding.Multiplicands && nonZero * 2 <= values.LongLength)
        {
            SparseStart = new int[Rows + 1];
            SparseColumns = new int[nonZero];
            SparseValues = new long[nonZero];
            int at = 0;
            for (int r = 0; r < Rows; r++)
            {
                SparseStart[r] = at;
                for (int j = 0; j < Length; j++)
                {
                    long v = values[r * Length + j];
                    if (v == 0) continue;
                    SparseColumns[at] = j;
                    SparseValues[at++] = v;
                }
            }
            SparseStart[Rows] = at;
        }
    }

    public int Rows { get; }
    public int Length { get; }
    public long[] Bias { get; }
    public bool[] IsFixedRow { get; }
    public long[] Multiplicands { get; }
    public ShiftCode[] Shifts { get; }

    /// <summary>Row r's non-zero multiplicands are SparseValues[SparseStart[r]..SparseStart[r + 1]) at SparseColumns (null: dense).</summary>
    public int[]? SparseStart { get; }
    public int[]? SparseColumns { get; }
    public long[]? SparseValues { get; }

    /// <summary>out[i * rowStride + o * colStride] = Σ_k x[i * Length + k] * v[o, k] + Bias[o] for i &lt; count.</summary>
    public void RunWide(ReadOnlySpan<long> x, int count, Span<long> output, int rowStride, int colStride)
    {
        var mult = Multiplicands;
        var shifts = Shifts;
        var fixedRow = IsFixedRow;
        if (SparseStart is { } start)
        {
            var columns = SparseColumns!;
            var values = SparseValues!;
            for (int i = 0; i < count; i++)
            {
                var xi = x.Slice(i * Length, Length);
                for (int o = 0; o < Rows; o++)
                {
                    long acc = Bias[o];
                    for (int t = start[o], end = start[o + 1]; t < end; t++) acc += xi[columns[t]] * values[t];
                    output[i * rowStride + o * colStride] = acc;
                }
            }
            return;
        }
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
