using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Per-thread packing buffers, pinned and 64-byte aligned. Thread-local instead of pooled because renting and
/// returning two arrays per call costs more than a whole small GEMM; aligned because a 64-byte vector load from
/// a misaligned packed panel would straddle two cache lines on every k step. Buffers grow to the largest
/// problem a thread has seen (at most MC x KC and KC x NC floats) and are reused without allocating.
/// </summary>
internal static unsafe class GemmScratch
{
    private const int AlignFloats = 16;

    [ThreadStatic] private static float[]? _a;
    [ThreadStatic] private static float[]? _b;

    public static float* ForA(int floats) => Get(ref _a, floats);

    public static float* ForB(int floats) => Get(ref _b, floats);

    private static float* Get(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats + AlignFloats)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats, 4096) + AlignFloats, pinned: true);
        return Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer)));
    }

    public static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
}
