using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MixQ.Quantization.Integer;

/// <summary>
/// The int8 GEMM of the integer engine: c[i, j] = Σ_{k &lt; depth} a[i, k] * w[j, k] with unsigned 8-bit activations
/// a (rows i: samples of a Dense layer, output pixels of a convolution's im2col) and signed 8-bit multiplicands w
/// (rows j: output neurons or channels), summed exactly in int32 (the caller guarantees the sums fit).
/// <para>w is packed once into panels of <see cref="PanelWidth"/> output columns: for panel p and group g of four
/// depth positions, 32 bytes hold w[p*8 + c, 4g + b] at offset 4c + b (zero beyond the matrix). One vpdpbusd then
/// multiplies a broadcast 4-byte group of one activation row with a whole panel group, adding four products into
/// each of 8 int32 lanes. Register blocking: 4 activation rows x 2 panels (8 accumulators) share every load.</para>
/// <para>Because w is zero-padded, activation bytes past <c>depth</c> (up to the next multiple of 4) are read but
/// contribute nothing: callers need not clear them, only make them readable.</para>
/// </summary>
public static class Int8Gemm
{
    /// <summary>Output columns per packed panel (one 256-bit vector of int32).</summary>
    public const int PanelWidth = 8;

    private const int GroupBytes = PanelWidth * 4;

    /// <summary>The fastest instruction set available on this machine.</summary>
    public static Int8Isa Best => AvxVnni.IsSupported ? Int8Isa.AvxVnni : Avx2.IsSupported ? Int8Isa.Avx2 : Int8Isa.Scalar;

    /// <summary>Name of <see cref="Best"/> for reports.</summary>
    public static string Path => Best switch { Int8Isa.AvxVnni => "avx-vnni", Int8Isa.Avx2 => "avx2", _ => "scalar" };

    public static bool IsSupported(Int8Isa isa) => isa switch
    {
        Int8Isa.AvxVnni => AvxVnni.IsSupported,
        Int8Isa.Avx2 => Avx2.IsSupported,
        _ => true,
    };

    /// <summary>Groups of four depth positions: ceil(depth / 4).</summary>
    public static int Groups(int depth) => (depth + 3) / 4;

    /// <summary>Columns of c the kernel writes: <paramref name="columns"/> rounded up to a whole panel.</summary>
    public static int PaddedColumns(int columns) => (columns + PanelWidth - 1) / PanelWidth * PanelWidth;

    /// <summary>Packs w[j, k] (row-major, <paramref name="columns"/> rows of <paramref name="depth"/>) into panels.</summary>
    public static sbyte[] Pack(ReadOnlySpan<sbyte> w, int columns, int depth)
    {
        if (columns < 0 || depth < 0 || w.Length < (long)columns * depth) throw new ArgumentException("w is smaller than columns x depth", nameof(w));
        int groups = Groups(depth);
        var packed = new sbyte[PaddedColumns(columns) * groups * 4];
        for (int j = 0; j < columns; j++)
        {
            int panel = j / PanelWidth, lane = j % PanelWidth;
            for (int k = 0; k < depth; k++)
                packed[(panel * groups + k / 4) * GroupBytes + lane * 4 + k % 4] = w[j * depth + k];
        }
        return packed;
    }

    /// <summary>
    /// c[i * ldc + j] = Σ_{k &lt; depth} a[i * lda + k] * w[j, k] for i &lt; rows and j &lt; PaddedColumns(columns)
    /// (padding columns get 0). a must hold (rows - 1) * lda + 4 * Groups(depth) bytes, lda a multiple of 4 and
    /// at least 4 * Groups(depth).
    /// </summary>
    public static void Gemm(Int8Isa isa, ReadOnlySpan<byte> a, int rows, int lda, ReadOnlySpan<sbyte> packed, int columns, int depth, Span<int> c, int ldc)
    {
        int groups = Groups(depth), width = PaddedColumns(columns);
        if (rows < 0 || columns < 0 || depth < 0 || lda % 4 != 0 || lda < groups * 4 || ldc < width)
            throw new ArgumentException("inconsistent int8 GEMM sizes");
        if (rows == 0 || width == 0) return;
        if (a.Length < (long)(rows - 1) * lda + groups * 4) throw new ArgumentException("a is too short", nameof(a));
        if (packed.Length < (long)width * groups * 4) throw new ArgumentException("packed weights are too short", nameof(packed));
        if (c.Length < (long)(rows - 1) * ldc + width) throw new ArgumentException("c is too short", nameof(c));
        if (!IsSupported(isa)) throw new PlatformNotSupportedException($"{isa} is not supported on this machine");
        switch (isa)
        {
            case Int8Isa.AvxVnni: Blocked<VnniDot>(a, rows, lda, packed, width / PanelWidth, groups, c, ldc); break;
            case Int8Isa.Avx2: Blocked<Avx2Dot>(a, rows, lda, packed, width / PanelWidth, groups, c, ldc); break;
            default: Scalar(a, rows, lda, packed, width, groups, c, ldc); break;
        }
    }

    private static void Scalar(ReadOnlySpan<byte> a, int rows, int lda, ReadOnlySpan<sbyte> packed, int width, int groups, Span<int> c, int ldc)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < width; j++)
            {
                int sum = 0, panel = j / PanelWidth, lane = j % PanelWidth;
                for (int g = 0; g < groups; g++)
                    for (int b = 0; b < 4; b++)
                        sum += a[i * lda + g * 4 + b] * packed[(panel * groups + g) * GroupBytes + lane * 4 + b];
                c[i * ldc + j] = sum;
            }
    }

    private static void Blocked<TDot>(ReadOnlySpan<byte> a, int rows, int lda, ReadOnlySpan<sbyte> packed, int panels, int groups, Span<int> c, int ldc)
        where TDot : struct, IDot
    {
        ref byte a0 = ref MemoryMarshal.GetReference(a);
        ref sbyte w0 = ref MemoryMarshal.GetReference(packed);
        ref int c0 = ref MemoryMarshal.GetReference(c);
        int panelBytes = groups * GroupBytes;
        int p = 0;
        // Panel pairs outside, row blocks inside: a pair of panels (2 * groups * 32 bytes) stays in L1 while the
        // activation rows stream past it.
        for (; p + 2 <= panels; p += 2)
        {
            ref sbyte w = ref Unsafe.Add(ref w0, p * panelBytes);
            int i = 0;
            for (; i + 4 <= rows; i += 4)
                Block4x2<TDot>(ref Unsafe.Add(ref a0, i * lda), lda, ref w, panelBytes, groups, ref Unsafe.Add(ref c0, i * ldc + p * PanelWidth), ldc);
            for (; i < rows; i++)
            {
                Block1x1<TDot>(ref Unsafe.Add(ref a0, i * lda), ref w, groups, ref Unsafe.Add(ref c0, i * ldc + p * PanelWidth));
                Block1x1<TDot>(ref Unsafe.Add(ref a0, i * lda), ref Unsafe.Add(ref w, panelBytes), groups, ref Unsafe.Add(ref c0, i * ldc + (p + 1) * PanelWidth));
            }
        }
        if (p < panels)
        {
            ref sbyte w = ref Unsafe.Add(ref w0, p * panelBytes);
            int i = 0;
            for (; i + 4 <= rows; i += 4)
                Block4x1<TDot>(ref Unsafe.Add(ref a0, i * lda), lda, ref w, groups, ref Unsafe.Add(ref c0, i * ldc + p * PanelWidth), ldc);
            for (; i < rows; i++)
                Block1x1<TDot>(ref Unsafe.Add(ref a0, i * lda), ref w, groups, ref Unsafe.Add(ref c0, i * ldc + p * PanelWidth));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Broadcast(ref byte a, int offset) => Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref a, offset))).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Load(ref sbyte w, int offset) => Vector256.LoadUnsafe(ref w, (nuint)offset);

    private static void Block4x2<TDot>(ref byte a, int lda, ref sbyte w, int panelBytes, int groups, ref int c, int ldc) where TDot : struct, IDot
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        ref byte a1 = ref Unsafe.Add(ref a, lda);
        ref byte a2 = ref Unsafe.Add(ref a1, lda);
        ref byte a3 = ref Unsafe.Add(ref a2, lda);
        ref sbyte w1 = ref Unsafe.Add(ref w, panelBytes);
        for (int g = 0; g < groups; g++)
        {
            var b0 = Load(ref w, g * GroupBytes);
            var b1 = Load(ref w1, g * GroupBytes);
            var x = Broadcast(ref a, g * 4);
            c00 = TDot.Dot(c00, x, b0);
            c01 = TDot.Dot(c01, x, b1);
            x = Broadcast(ref a1, g * 4);
            c10 = TDot.Dot(c10, x, b0);
            c11 = TDot.Dot(c11, x, b1);
            x = Broadcast(ref a2, g * 4);
            c20 = TDot.Dot(c20, x, b0);
            c21 = TDot.Dot(c21, x, b1);
            x = Broadcast(ref a3, g * 4);
            c30 = TDot.Dot(c30, x, b0);
            c31 = TDot.Dot(c31, x, b1);
        }
        c00.StoreUnsafe(ref c);
        c01.StoreUnsafe(ref c, PanelWidth);
        c10.StoreUnsafe(ref c, (nuint)ldc);
        c11.StoreUnsafe(ref c, (nuint)(ldc + PanelWidth));
        c20.StoreUnsafe(ref c, (nuint)(2 * ldc));
        c21.StoreUnsafe(ref c, (nuint)(2 * ldc + PanelWidth));
        c30.StoreUnsafe(ref c, (nuint)(3 * ldc));
        c31.StoreUnsafe(ref c, (nuint)(3 * ldc + PanelWidth));
    }

    private static void Block4x1<TDot>(ref byte a, int lda, ref sbyte w, int groups, ref int c, int ldc) where TDot : struct, IDot
    {
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default;
        ref byte a1 = ref Unsafe.Add(ref a, lda);
        ref byte a2 = ref Unsafe.Add(ref a1, lda);
        ref byte a3 = ref Unsafe.Add(ref a2, lda);
        for (int g = 0; g < groups; g++)
        {
            var b = Load(ref w, g * GroupBytes);
            c0 = TDot.Dot(c0, Broadcast(ref a, g * 4), b);
            c1 = TDot.Dot(c1, Broadcast(ref a1, g * 4), b);
            c2 = TDot.Dot(c2, Broadcast(ref a2, g * 4), b);
            c3 = TDot.Dot(c3, Broadcast(ref a3, g * 4), b);
        }
        c0.StoreUnsafe(ref c);
        c1.StoreUnsafe(ref c, (nuint)ldc);
        c2.StoreUnsafe(ref c, (nuint)(2 * ldc));
        c3.StoreUnsafe(ref c, (nuint)(3 * ldc));
    }

    private static void Block1x1<TDot>(ref byte a, ref sbyte w, int groups, ref int c) where TDot : struct, IDot
    {
        Vector256<int> c0 = default;
        for (int g = 0; g < groups; g++) c0 = TDot.Dot(c0, Broadcast(ref a, g * 4), Load(ref w, g * GroupBytes));
        c0.StoreUnsafe(ref c);
    }

    /// <summary>acc + per-int32-lane sum of the four u8 x s8 products (vpdpbusd semantics, wrapping, no saturation).</summary>
    private interface IDot
    {
        static abstract Vector256<int> Dot(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s);
    }

    private readonly struct VnniDot : IDot
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Dot(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) => AvxVnni.MultiplyWideningAndAdd(acc, u, s);
    }

    private readonly struct Avx2Dot : IDot
    {
        /// <summary>
        /// Bytes 0 and 2 of each lane zero-extended (u) and sign-extended (s) to 16 bits, then bytes 1 and 3: two
        /// vpmaddwd give the four products in pairs, each pair sum |255 * -128 * 2| &lt; 2^16, exact (vpmaddubsw would
        /// saturate at 2^15).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Dot(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s)
        {
            var u16 = u.AsInt16();
            var uEven = u16 & Vector256.Create((short)0xFF);
            var uOdd = Avx2.ShiftRightLogical(u16, 8);
            var s16 = s.AsInt16();
            var sEven = Avx2.ShiftRightArithmetic(Avx2.ShiftLeftLogical(s16, 8), 8);
            var sOdd = Avx2.ShiftRightArithmetic(s16, 8);
            return acc + Avx2.MultiplyAddAdjacent(uEven, sEven) + Avx2.MultiplyAddAdjacent(uOdd, sOdd);
        }
    }
}
