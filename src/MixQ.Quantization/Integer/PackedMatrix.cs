namespace MixQ.Quantization.Integer;

/// <summary>
/// A Dense/Conv2d weight matrix ready for <see cref="Int8Gemm"/>, built only when the int8 path is exact for it:
/// every multiplicand v fits a signed byte (fixed-point rows up to 8 bits; PoT/SP2 rows whose shifted levels fit,
/// which multiply to exactly what shift-and-add gives), 255 * Σ_k |v[o, k]| fits int32 (the unsigned sums), and so do
/// the true accumulators (max_code * Σ|v| + |bias|) and the per-column <see cref="Addend"/>.
/// <para>Activations enter as unsigned bytes code + z, with the zero point z = 128 for signed codes and 0 otherwise;
/// Σ_k (x_k + z) v_k - z Σ_k v_k + bias = Σ_k x_k v_k + bias, so Addend[o] = bias[o] - z Σ_k v[o, k].</para>
/// </summary>
internal sealed class PackedMatrix
{
    private PackedMatrix(int columns, int depth, int zeroPoint, sbyte[] packed, int[] addend)
    {
        Columns = columns;
        Depth = depth;
        ZeroPoint = zeroPoint;
        Packed = packed;
        Addend = addend;
    }

    /// <summary>Output columns (weight rows).</summary>
    public int Columns { get; }

    /// <summary>Weights per row.</summary>
    public int Depth { get; }

    public int ZeroPoint { get; }
    public sbyte[] Packed { get; }

    /// <summary>bias[o] - ZeroPoint * Σ_k v[o, k], zero in the padding columns.</summary>
    public int[] Addend { get; }

    /// <summary>int32 stride of a GEMM output row.</summary>
    public int Ldc => Int8Gemm.PaddedColumns(Columns);

    /// <summary>The packed matrix, or null when some sum could leave int32 or a multiplicand is not a signed byte.</summary>
    public static PackedMatrix? TryCreate(IntegerWeights weights, long[] bias, ActivationCodes input, int zeroPoint)
    {
        int rows = weights.Rows, depth = weights.RowLength;
        var values = weights.Values();
        var narrow = new sbyte[values.Length];
        var addend = new int[Int8Gemm.PaddedColumns(rows)];
        for (int r = 0; r < rows; r++)
        {
            long sum = 0, abs = 0;
            for (int k = 0; k < depth; k++)
            {
                long v = values[r * depth + k];
                if (v is < sbyte.MinValue or > sbyte.MaxValue) return null;
                narrow[r * depth + k] = (sbyte)v;
                sum += v;
                abs += Math.Abs(v);
            }
            long add = bias[r] - zeroPoint * sum;
            if (abs * 255 > int.MaxValue || abs * input.MaxCode + Math.Abs(bias[r]) > int.MaxValue || add is < int.MinValue or > int.MaxValue)
                return null;
            addend[r] = (int)add;
        }
        return new PackedMatrix(rows, depth, zeroPoint, Int8Gemm.Pack(narrow, rows, depth), addend);
    }
}
