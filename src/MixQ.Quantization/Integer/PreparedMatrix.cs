using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Integer;

/// <summary>
/// A Dense or Conv2d weight matrix made ready for <see cref="IntegerEngine"/>. When every multiplicand fits a signed
/// byte and the worst-case sum fits 32 bits, rows go to <see cref="Int8Dot"/> (activations as unsigned bytes: signed
/// codes get an offset of 128, removed afterwards by subtracting 128 * Σ_k v[o, k]). Otherwise the exact 64-bit path
/// runs: fixed-point rows multiply, PoT and SP2 rows shift and add (<see cref="ShiftCode"/>).
/// </summary>
internal sealed class PreparedMatrix
{
    public PreparedMatrix(IntegerWeights weights, long[] bias, ActivationCodes input, bool allowSimd)
    {
        Rows = weights.Rows;
        Length = weights.RowLength;
        Bias = bias;
        Offset = input.Signed ? 128 : 0;
        var values = weights.Values();
        Correction = new long[Rows];
        long worst = 0;
        bool narrow = true;
        for (int r = 0; r < Rows; r++)
        {
            long sum = 0, abs = 0;
            for (int j = 0; j < Length; j++)
            {
                long v = values[r * Length + j];
                narrow &= v is >= sbyte.MinValue and <= sbyte.MaxValue;
                sum += v;
                abs += Math.Abs(v);
            }
            Correction[r] = Offset * sum;
            worst = Math.Max(worst, abs * 255);
        }
        Simd = allowSimd && narrow && worst <= int.MaxValue;
        if (Simd)
        {
            Narrow = values.Select(v => (sbyte)v).ToArray();
            return;
        }
        IsFixedRow = new bool[Rows];
        Multiplicands = values;
        Shifts = new ShiftCode[values.Length];
        for (int r = 0; r < Rows; r++)
        {
            var format = weights.RowFormats[r];
            IsFixedRow[r] = format.Scheme == QuantScheme.Fixed;
            if (IsFixedRow[r]) continue;
            for (int j = 0; j < Length; j++)
                Shifts[r * Length + j] = ShiftCode.From(format, weights.RowFrames[r], weights.Code(r, j));
        }
    }

    public int Rows { get; }
    public int Length { get; }
    public long[] Bias { get; }

    /// <summary>Added to every activation code to make it an unsigned byte (SIMD path only).</summary>
    public int Offset { get; }

    /// <summary>Offset * Σ_k v[o, k], subtracted from each SIMD sum.</summary>
    public long[] Correction { get; }

    public bool Simd { get; }
    public sbyte[]? Narrow { get; }
    public bool[]? IsFixedRow { get; }
    public long[]? Multiplicands { get; }
    public ShiftCode[]? Shifts { get; }

    /// <summary>out[i * outStride + o * colStride] = Σ_k x[i * Length + k] * v[o, k] + Bias[o] for i &lt; count (64-bit path).</summary>
    public void RunWide(ReadOnlySpan<long> x, int count, Span<long> output, int rowStride, int colStride)
    {
        var mult = Multiplicands!;
        var shifts = Shifts!;
        var fixedRow = IsFixedRow!;
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

    /// <summary>The same sums through <see cref="Int8Dot"/>: <paramref name="bytes"/> holds codes + Offset, <paramref name="scratch"/> count * Rows ints.</summary>
    public void RunSimd(ReadOnlySpan<byte> bytes, int count, Span<int> scratch, Span<long> output, int rowStride, int colStride)
    {
        Int8Dot.Gemm(bytes, count, Length, Narrow, Rows, Length, Length, scratch, Rows);
        for (int i = 0; i < count; i++)
            for (int o = 0; o < Rows; o++)
                output[i * rowStride + o * colStride] = scratch[i * Rows + o] - Correction[o] + Bias[o];
    }
}
