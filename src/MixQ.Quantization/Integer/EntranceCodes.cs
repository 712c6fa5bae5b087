using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Integer;

/// <summary>
/// <see cref="InputQuantization.Quantize"/> writing bytes (code + zero point) for the int8 path: the Vector512 loop
/// performs <see cref="UniformRounding.CodeScalar"/>'s IEEE operations in the same order, so its codes are
/// bit-identical to the scalar twin's (tested), which finishes the tail.
/// </summary>
internal static class EntranceCodes
{
    public static void Quantize(InputQuantization q, ReadOnlySpan<float> input, Span<byte> bytes, int zeroPoint, bool vector = true)
    {
        if (bytes.Length < input.Length) throw new ArgumentException("bytes is shorter than input", nameof(bytes));
        float inv = 1f / q.Clip, steps = q.Codes.MaxCode, lo = q.Codes.MinCode, hi = q.Codes.MaxCode;
        int i = 0;
        if (vector && Vector512.IsHardwareAccelerated)
        {
            ref float src = ref MemoryMarshal.GetReference(input);
            ref byte dst = ref MemoryMarshal.GetReference(bytes);
            var vInv = Vector512.Create(inv);
            var s = Vector512.Create(steps);
            var vLo = Vector512.Create(lo);
            var vHi = Vector512.Create(hi);
            var half = Vector512.Create(0.5f);
            var zp = Vector512.Create(zeroPoint);
            for (; i <= input.Length - 16; i += 16)
            {
                var t = Vector512.LoadUnsafe(ref src, (nuint)i) * vInv;
                var y = t * s;
                var err = Vector512.FusedMultiplyAdd(t, s, -y);
                var ay = Vector512.Abs(y);
                var r = Vector512.Floor(ay);
                var frac = ay - r;
                var e = Vector512.ConditionalSelect(Vector512.LessThan(y, Vector512<float>.Zero), -err, err);
                var d = (frac - half) + e;
                var k = r + (Vector512.GreaterThanOrEqual(d, Vector512<float>.Zero) & Vector512<float>.One);
                k = Vector512.Min(Vector512.Max(Vector512.CopySign(k, t), vLo), vHi);
                var codes = Vector512.ConvertToInt32(k) + zp; // k is an integer in [lo, hi]: the conversion is exact
                var narrowed = Vector256.Narrow(codes.GetLower(), codes.GetUpper()); // int16, then bytes
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, i), Vector128.Narrow(narrowed.GetLower(), narrowed.GetUpper()).AsByte());
            }
        }
        for (; i < input.Length; i++)
            bytes[i] = (byte)((int)UniformRounding.CodeScalar(input[i], inv, steps, lo, hi) + zeroPoint);
    }
}
