using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MixQ.Tensors.Kernels;

/// <summary>
/// Per-thread packing buffers, pinned and 64-byte aligned. Thread-local instead of pooled because renting and
/// returning two arrays per call costs more than a whole small GEMM; aligned because a 64-byte vector load from
/// a misaligned packed panel would straddle two cache lines on every k step. Buffers grow to the largest
/// problem a thread has seen (at most MC x KC and KC x NC floats, plus k x n for a multi-threaded call) and are reused without allocating.
/// </summary>
internal static unsafe class GemmScratch
{
    private const int AlignFloats = 16;

    [ThreadStatic] private static float[]? _a;
    [ThreadStatic] private static float[]? _b;
    [ThreadStatic] private static float[]? _shared;
    [ThreadStatic] private static int[]? _claims;

    public static float* ForA(int floats) => Get(ref _a, floats);

    public static float* ForB(int floats) => Get(ref _b, floats);

    /// <summary>The whole packed B that a calling thread shares with its workers during one call.</summary>
    public static float* ForSharedB(int floats) => Get(ref _shared, floats);

    /// <summary>Lets a shared B larger than 16 Mi floats (64 MiB) go after its call instead of pinning it for the thread's life.</summary>
    public static void TrimSharedB()
    {
        if (_shared is { Length: > 16 << 20 }) _shared = null;
    }

    /// <summary>Zeroed claim flags for the shared packed B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int* Claims(int count)
    {
        if (_claims is null || _claims.Length < count)
            _claims = GC.AllocateArray<int>(Math.Max(count, 256), pinned: true);
        Array.Clear(_claims, 0, count);
        return (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_claims));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float* Get(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats + AlignFloats)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats, 4096) + AlignFloats, pinned: true);
        return Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer)));
    }

    public static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
}
