using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MixQ.Quantization.Integer;

/// <summary>
/// A Dense/Conv2d layer's int8 GEMM row (one sample of a Dense layer, one output pixel of a convolution) turned
/// straight into the codes of the <see cref="IntRequantize"/> that follows it: per column j,
/// acc = c[j] + Addend[j] (the bias minus the zero-point correction, in wrapping int32 arithmetic: exact whenever
/// the true accumulator fits 32 bits), then exactly <see cref="Requantizer.Apply"/>.
/// <para>The AVX-512 path evaluates p = acc * m + offset and (p + 2^(s-1) - [p &lt; 0]) >> s in 64-bit lanes, 8
/// columns at a time. That is exact when |acc| &lt;= 2^31, |offset| &lt; 2^61 and s &lt;= 62 (|p + 2^(s-1)| &lt; 2^63);
/// a layer with any channel outside those bounds uses the scalar twin (<see cref="Requantizer.Apply"/>).</para>
/// </summary>
internal sealed class RequantizeEpilogue
{
    private readonly int[] _addend;
    private readonly long[] _multiplier, _offset, _round, _negative;
    private readonly ulong[] _shift;
    private readonly int[] _m, _s;
    private readonly long[] _o;

    /// <param name="addend">Per output column, at least <see cref="Int8Gemm.PaddedColumns"/>(columns) long.</param>
    public RequantizeEpilogue(IntRequantize requantize, int columns, int[] addend)
    {
        if (requantize.Channels != 1 && requantize.Channels != columns)
            throw new ArgumentException($"{requantize.Channels} requantization channels for {columns} columns");
        Columns = columns;
        int width = Int8Gemm.PaddedColumns(columns);
        if (addend.Length < width) throw new ArgumentException("addend is shorter than the padded columns", nameof(addend));
        _addend = addend;
        Min = requantize.Min;
        Max = requantize.Max;
        _m = new int[width];
        _s = new int[width];
        _o = new long[width];
        _multiplier = new long[width];
        _offset = new long[width];
        _round = new long[width];
        _negative = new long[width];
        _shift = new ulong[width];
        bool fits = true;
        for (int j = 0; j < columns; j++)
        {
            int ch = requantize.Channels == 1 ? 0 : j;
            int m = requantize.Multipliers[ch], s = requantize.Shifts[ch];
            long offset = requantize.Offsets[ch];
            (_m[j], _s[j], _o[j]) = (m, s, offset);
            (_multiplier[j], _offset[j], _shift[j]) = (m, offset, (ulong)s);
            _round[j] = s == 0 ? 0 : 1L << Math.Min(s - 1, 62);
            _negative[j] = s == 0 ? 0 : -1;
            fits &= s <= 62 && offset is > -(1L << 61) and < 1L << 61;
        }
        Vectorized = fits && Avx512F.IsSupported && Avx512DQ.IsSupported;
    }

    public int Columns { get; }
    public long Min { get; }
    public long Max { get; }

    /// <summary>Whether the 64-bit-lane AVX-512 path runs (else the scalar twin).</summary>
    public bool Vectorized { get; }

    /// <summary>dest[j * stride] = code[j] + zeroPoint for j &lt; Columns; the codes must fit a byte after the shift.</summary>
    public void ToBytes(ReadOnlySpan<int> c, Span<byte> dest, int stride, int zeroPoint, bool vector = true)
    {
        if (c.Length < Int8Gemm.PaddedColumns(Columns) || (Columns > 0 && dest.Length < (long)(Columns - 1) * stride + 1))
            throw new ArgumentException("row or destination too short");
        int j = 0;
        if (vector && Vectorized)
        {
            var zp = Vector512.Create((long)zeroPoint);
            for (; j + 8 <= Columns; j += 8)
            {
                var q = Avx512F.ConvertToVector128Byte(Codes8(c, j) + zp);
                if (stride == 1) Unsafe.WriteUnaligned(ref dest[j], q.AsUInt64().ToScalar());
                else
                    for (int t = 0; t < 8; t++) dest[(j + t) * stride] = q.GetElement(t);
            }
            if (j < Columns)
            {
                var q = Avx512F.ConvertToVector128Byte(Codes8(c, j) + zp);
                for (int t = 0; j + t < Columns; t++) dest[(j + t) * stride] = q.GetElement(t);
                j = Columns;
            }
        }
        for (; j < Columns; j++) dest[j * stride] = (byte)(Scalar(c, j) + zeroPoint);
    }

    /// <summary>
    /// <see cref="ToBytes"/> for a block of GEMM rows whose outputs are transposed (a convolution: GEMM row p = pixel,
    /// column j = channel, tensor [channel, pixel]): dest[j * stride + p] = code of c[p * ldc + j] + zeroPoint for
    /// p &lt; rows. Eight pixels x eight channels are requantized into a 64-byte tile and transposed with one vpermb.
    /// </summary>
    public void ToBytesTransposed(ReadOnlySpan<int> c, int ldc, int rows, Span<byte> dest, int stride, int zeroPoint, bool vector = true)
    {
        if (rows == 0) return;
        if (stride < rows || c.Length < (long)(rows - 1) * ldc + Int8Gemm.PaddedColumns(Columns) || dest.Length < (long)(Columns - 1) * stride + rows)
            throw new ArgumentException("block or destination too short");
        int p = 0;
        if (vector && Vectorized && Avx512Vbmi.IsSupported && rows >= 8)
        {
            var zp = Vector512.Create((long)zeroPoint);
            var lo = Vector512.Create(Min);
            var hi = Vector512.Create(Max);
            Span<ulong> tile = stackalloc ulong[8];
            ref ulong t0 = ref MemoryMarshal.GetReference(tile);
            ref byte d = ref MemoryMarshal.GetReference(dest);
            ref int c0 = ref MemoryMarshal.GetReference(c);
            int blocks = rows / 8 * 8;
            for (int j = 0; j < Columns; j += 8)
            {
                // This column chunk's parameters stay in registers across all pixels.
                var addend = Vector256.LoadUnsafe(ref _addend[0], (nuint)j);
                var multiplier = Vector512.LoadUnsafe(ref _multiplier[0], (nuint)j);
                var offset = Vector512.LoadUnsafe(ref _offset[0], (nuint)j);
                var round = Vector512.LoadUnsafe(ref _round[0], (nuint)j);
                var negative = Vector512.LoadUnsafe(ref _negative[0], (nuint)j);
                var shift = Vector512.LoadUnsafe(ref _shift[0], (nuint)j);
                int valid = Math.Min(8, Columns - j);
                for (int q = 0; q < blocks; q += 8)
                {
                    for (int t = 0; t < 8; t++)
                    {
                        var acc = Vector256.LoadUnsafe(ref c0, (nuint)((q + t) * ldc + j)) + addend;
                        var prod = Avx512F.ConvertToVector512Int64(acc) * multiplier + offset;
                        var code = Avx512F.ShiftRightArithmeticVariable(prod + round + (Vector512.ShiftRightArithmetic(prod, 63) & negative), shift);
                        Unsafe.Add(ref t0, t) = Avx512F.ConvertToVector128Byte(Vector512.Min(Vector512.Max(code, lo), hi) + zp).AsUInt64().ToScalar();
                    }
                    // tile byte 8t + i = channel j + i of pixel q + t; after the permutation byte 8i + t.
                    Avx512Vbmi.PermuteVar64x8(Vector512.LoadUnsafe(ref Unsafe.As<ulong, byte>(ref t0)), TransposeIndex)
                        .StoreUnsafe(ref Unsafe.As<ulong, byte>(ref t0));
                    for (int i = 0; i < valid; i++)
                        Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, (j + i) * stride + q), Unsafe.Add(ref t0, i));
                }
            }
            p = blocks;
        }
        for (; p < rows; p++) ToBytes(c[(p * ldc)..], dest[p..], stride, zeroPoint, vector);
    }

    private static readonly Vector512<byte> TransposeIndex = Vector512.Create(Enumerable.Range(0, 64).Select(k => (byte)(k % 8 * 8 + k / 8)).ToArray());

    /// <summary>dest[j * stride] = code[j] for j &lt; Columns.</summary>
    public void ToLongs(ReadOnlySpan<int> c, Span<long> dest, int stride, bool vector = true)
    {
        if (c.Length < Int8Gemm.PaddedColumns(Columns) || (Columns > 0 && dest.Length < (long)(Columns - 1) * stride + 1))
            throw new ArgumentException("row or destination too short");
        int j = 0;
        if (vector && Vectorized)
            for (; j < Columns; j += 8)
            {
                var q = Codes8(c, j);
                for (int t = 0; t < 8 && j + t < Columns; t++) dest[(j + t) * stride] = q.GetElement(t);
            }
        for (; j < Columns; j++) dest[j * stride] = Scalar(c, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Scalar(ReadOnlySpan<int> c, int j) => Requantizer.Apply(unchecked(c[j] + _addend[j]), _m[j], _s[j], _o[j], Min, Max);

    /// <summary>Codes of columns j..j+7 (all within the padded width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<long> Codes8(ReadOnlySpan<int> c, int j)
    {
        var acc = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(c), (nuint)j) + Vector256.LoadUnsafe(ref _addend[0], (nuint)j);
        var p = Avx512F.ConvertToVector512Int64(acc) * Vector512.LoadUnsafe(ref _multiplier[0], (nuint)j) + Vector512.LoadUnsafe(ref _offset[0], (nuint)j);
        var rounded = p + Vector512.LoadUnsafe(ref _round[0], (nuint)j) + (Vector512.ShiftRightArithmetic(p, 63) & Vector512.LoadUnsafe(ref _negative[0], (nuint)j));
        var q = Avx512F.ShiftRightArithmeticVariable(rounded, Vector512.LoadUnsafe(ref _shift[0], (nuint)j));
        return Vector512.Min(Vector512.Max(q, Vector512.Create(Min)), Vector512.Create(Max));
    }
}
