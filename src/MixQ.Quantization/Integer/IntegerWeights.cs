using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The weight matrix of an integer Dense or Conv2d layer: <see cref="Rows"/> rows (output neurons or output
/// channels) of <see cref="RowLength"/> weights, each row with its own <see cref="NumberFormat"/>. Weights are
/// stored as the m-bit words of <see cref="WeightCodec"/> (what hardware weight memory holds); the integer
/// multiplicand of each weight follows from its word and its row's frame.
/// <para>Real meaning (used only by the converter to derive multipliers, never by inference):
/// w[r, j] = <see cref="RowStep"/>(r) * v[r, j], with step = alpha_r / K for fixed-point rows and
/// alpha_r * 2^-F_r for PoT and SP2 rows.</para>
/// <para>Immutable: the arrays passed in are owned by the instance.</para>
/// </summary>
public sealed class IntegerWeights
{
    /// <summary>Largest PoT/SP2 row frame: 2^-24 relative to the row's top level is below float32 resolution.</summary>
    public const int MaxFrame = 24;

    private readonly NumberFormat[] _formats;
    private readonly int[] _frames;
    private readonly float[] _scales;
    private readonly byte[] _codes;

    public IntegerWeights(int rows, int rowLength, IReadOnlyList<NumberFormat> rowFormats, int[] rowFrames, float[] rowScales, byte[] codes)
    {
        if (rows < 1 || rowLength < 1) throw new MixQException($"integer weights must have at least one row and column, got {rows} x {rowLength}");
        if (rowFormats.Count != rows) throw new MixQException($"integer weights: {rowFormats.Count} row formats for {rows} rows");
        if (rowFrames.Length != rows) throw new MixQException($"integer weights: {rowFrames.Length} row frames for {rows} rows");
        if (rowScales.Length != rows) throw new MixQException($"integer weights: {rowScales.Length} row scales for {rows} rows");
        if (codes.Length != (long)rows * rowLength) throw new MixQException($"integer weights: {codes.Length} codes for {rows} x {rowLength} weights");
        _formats = rowFormats.ToArray();
        _frames = rowFrames;
        _scales = rowScales;
        _codes = codes;
        Rows = rows;
        RowLength = rowLength;
        for (int r = 0; r < rows; r++)
        {
            var format = _formats[r];
            if (!(rowScales[r] > 0f) || !float.IsFinite(rowScales[r]))
                throw new MixQException($"integer weights: row {r} has scale {rowScales[r]} (must be positive and finite)");
            int frame = rowFrames[r];
            if (format.Scheme == QuantScheme.Fixed ? frame != 0 : frame is < 0 or > MaxFrame)
                throw new MixQException($"integer weights: row {r} ({format}) has frame {frame} (fixed rows 0, PoT/SP2 rows 0..{MaxFrame})");
            var row = codes.AsSpan(r * rowLength, rowLength);
            foreach (byte word in row)
            {
                int e = WeightCodec.Exponent(format, word);
                if (e > frame) throw new MixQException($"integer weights: row {r} ({format}) uses exponent {e} beyond its frame {frame}");
            }
        }
    }

    public int Rows { get; }

    /// <summary>Weights per row (in-features, or in-channels x kernel x kernel in [c, kh, kw] order).</summary>
    public int RowLength { get; }

    public IReadOnlyList<NumberFormat> RowFormats => _formats;

    /// <summary>F_r: PoT/SP2 multiplicands are levels times 2^F_r; 0 for fixed-point rows.</summary>
    public IReadOnlyList<int> RowFrames => _frames;

    /// <summary>alpha_r, the row scale of the fake-quantized model (float32, as trained).</summary>
    public IReadOnlyList<float> RowScales => _scales;

    /// <summary>Row-major m-bit weight words (see <see cref="WeightCodec"/>).</summary>
    public ReadOnlySpan<byte> Codes => _codes;

    public byte Code(int row, int column) => _codes[row * RowLength + column];

    /// <summary>The integer multiplicand v[row, column].</summary>
    public long Value(int row, int column) => WeightCodec.Value(_formats[row], _frames[row], Code(row, column));

    /// <summary>All multiplicands, row-major.</summary>
    public long[] Values()
    {
        var values = new long[_codes.Length];
        for (int r = 0; r < Rows; r++)
            for (int j = 0; j < RowLength; j++) values[r * RowLength + j] = Value(r, j);
        return values;
    }

    /// <summary>Σ_j |v[row, j]|: with the largest input code, bounds the row's accumulator.</summary>
    public long RowAbsSum(int row)
    {
        long sum = 0;
        for (int j = 0; j < RowLength; j++) sum += Math.Abs(Value(row, j));
        return sum;
    }

    /// <summary>The real value of one multiplicand unit of <paramref name="row"/> (in double; PoT/SP2 rows exactly).</summary>
    public double RowStep(int row)
    {
        var format = _formats[row];
        double alpha = _scales[row];
        return format.Scheme == QuantScheme.Fixed ? alpha / ((1 << (format.Bits - 1)) - 1) : Math.ScaleB(alpha, -_frames[row]);
    }
}
