using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The weight matrix of an integer Dense or Conv2d layer: <see cref="Rows"/> rows (output neurons or output
/// channels) of <see cref="RowLength"/> weights, in one of two encodings (<see cref="Encoding"/>):
/// <list type="bullet">
/// <item><see cref="WeightEncoding.Words"/> (row-wise models): each row has its own <see cref="NumberFormat"/>;
/// weights are stored as the m-bit words of <see cref="WeightCodec"/> (what hardware weight memory holds), and
/// the integer multiplicand of each weight follows from its word and its row's frame. Real meaning (used only by
/// the converter to derive multipliers, never by inference): w[r, j] = <see cref="RowStep"/>(r) * v[r, j], with
/// step = alpha_r / K for fixed-point rows and alpha_r * 2^-F_r for PoT and SP2 rows.</item>
/// <item><see cref="WeightEncoding.Multiplicands"/> (HGQ models): the integer multiplicands themselves (int32),
/// each row on the grid 2^-<see cref="RowFractionalBits"/>[r]: w[r, j] = v[r, j] 2^-F_r exactly. An HGQ weight
/// code m with f fractional bits becomes v = m &lt;&lt; (F_r - f), F_r being the largest f of the row's non-zero
/// weights, so every row multiplies plain integers.</item>
/// </list>
/// <para>Immutable: the arrays passed in are owned by the instance.</para>
/// </summary>
public sealed class IntegerWeights
{
    /// <summary>Largest PoT/SP2 row frame: 2^-24 relative to the row's top level is below float32 resolution.</summary>
    public const int MaxFrame = 24;

    /// <summary>Largest |F_r| of a multiplicand row (its step 2^-F_r stays a normal double and float).</summary>
    public const int MaxFractionalBits = 100;

    private readonly NumberFormat[] _formats;
    private readonly int[] _frames;
    private readonly float[] _scales;
    private readonly byte[] _codes;
    private readonly int[] _multiplicands = [];

    public IntegerWeights(int rows, int rowLength, IReadOnlyList<NumberFormat> rowFormats, int[] rowFrames, float[] rowScales, byte[] codes)
    {
        CheckShape(rows, rowLength);
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
        Encoding = WeightEncoding.Words;
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

    private IntegerWeights(int rows, int rowLength, int[] rowFractionalBits, int[] multiplicands)
    {
        CheckShape(rows, rowLength);
        if (rowFractionalBits.Length != rows) throw new MixQException($"integer weights: {rowFractionalBits.Length} row fractional bits for {rows} rows");
        if (multiplicands.Length != (long)rows * rowLength) throw new MixQException($"integer weights: {multiplicands.Length} multiplicands for {rows} x {rowLength} weights");
        for (int r = 0; r < rows; r++)
            if (Math.Abs(rowFractionalBits[r]) > MaxFractionalBits)
                throw new MixQException($"integer weights: row {r} has {rowFractionalBits[r]} fractional bits (at most {MaxFractionalBits} either way)");
        foreach (int v in multiplicands)
            if (v == int.MinValue) throw new MixQException("integer weights: multiplicand -2^31 is outside the symmetric int32 range");
        _formats = [];
        _frames = rowFractionalBits;
        _scales = [];
        _codes = [];
        _multiplicands = multiplicands;
        Rows = rows;
        RowLength = rowLength;
        Encoding = WeightEncoding.Multiplicands;
    }

    /// <summary>Multiplicand rows (HGQ): <paramref name="multiplicands"/> row-major, row r on the grid 2^-F_r.</summary>
    public static IntegerWeights FromMultiplicands(int rows, int rowLength, int[] rowFractionalBits, int[] multiplicands) =>
        new(rows, rowLength, rowFractionalBits, multiplicands);

    public WeightEncoding Encoding { get; }

    public int Rows { get; }

    /// <summary>Weights per row (in-features, or in-channels x kernel x kernel in [c, kh, kw] order).</summary>
    public int RowLength { get; }

    /// <summary>Each row's number format (<see cref="WeightEncoding.Words"/> only).</summary>
    public IReadOnlyList<NumberFormat> RowFormats => Encoding == WeightEncoding.Words ? _formats : throw NotWords("row formats");

    /// <summary>F_r: PoT/SP2 multiplicands are levels times 2^F_r; 0 for fixed-point rows (<see cref="WeightEncoding.Words"/> only).</summary>
    public IReadOnlyList<int> RowFrames => Encoding == WeightEncoding.Words ? _frames : throw NotWords("row frames");

    /// <summary>alpha_r, the row scale of the fake-quantized model (float32, as trained; <see cref="WeightEncoding.Words"/> only).</summary>
    public IReadOnlyList<float> RowScales => Encoding == WeightEncoding.Words ? _scales : throw NotWords("row scales");

    /// <summary>F_r of a multiplicand row: w = v 2^-F_r (<see cref="WeightEncoding.Multiplicands"/> only).</summary>
    public IReadOnlyList<int> RowFractionalBits => Encoding == WeightEncoding.Multiplicands ? _frames : throw new InvalidOperationException("word-encoded weights have no row fractional bits");

    /// <summary>Row-major m-bit weight words (see <see cref="WeightCodec"/>; <see cref="WeightEncoding.Words"/> only).</summary>
    public ReadOnlySpan<byte> Codes => Encoding == WeightEncoding.Words ? _codes : throw NotWords("weight words");

    /// <summary>Row-major multiplicands (<see cref="WeightEncoding.Multiplicands"/> only).</summary>
    public ReadOnlySpan<int> Multiplicands => Encoding == WeightEncoding.Multiplicands ? _multiplicands : throw new InvalidOperationException("word-encoded weights store words, not multiplicands");

    public byte Code(int row, int column) => Encoding == WeightEncoding.Words ? _codes[row * RowLength + column] : throw NotWords("weight words");

    /// <summary>The integer multiplicand v[row, column].</summary>
    public long Value(int row, int column) => Encoding == WeightEncoding.Multiplicands
        ? _multiplicands[row * RowLength + column]
        : WeightCodec.Value(_formats[row], _frames[row], Code(row, column));

    /// <summary>True when row r multiplies (fixed-point words, or multiplicands) rather than shifting and adding (PoT, SP2).</summary>
    public bool MultipliesRow(int row) => Encoding == WeightEncoding.Multiplicands || _formats[row].Scheme == QuantScheme.Fixed;

    /// <summary>All multiplicands, row-major.</summary>
    public long[] Values()
    {
        var values = new long[(long)Rows * RowLength];
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

    /// <summary>The real value of one multiplicand unit of <paramref name="row"/> (in double; PoT/SP2 and multiplicand rows exactly).</summary>
    public double RowStep(int row)
    {
        if (Encoding == WeightEncoding.Multiplicands) return Math.ScaleB(1.0, -_frames[row]);
        var format = _formats[row];
        double alpha = _scales[row];
        return format.Scheme == QuantScheme.Fixed ? alpha / ((1 << (format.Bits - 1)) - 1) : Math.ScaleB(alpha, -_frames[row]);
    }

    private static void CheckShape(int rows, int rowLength)
    {
        if (rows < 1 || rowLength < 1) throw new MixQException($"integer weights must have at least one row and column, got {rows} x {rowLength}");
    }

    private static InvalidOperationException NotWords(string what) => new($"multiplicand-encoded (HGQ) weights have no {what}");
}

/// <summary>How <see cref="IntegerWeights"/> stores a matrix.</summary>
public enum WeightEncoding
{
    /// <summary>m-bit words of per-row number formats (fixed, PoT, SP2).</summary>
    Words,

    /// <summary>int32 multiplicands on a power-of-two grid per row (HGQ).</summary>
    Multiplicands,
}
