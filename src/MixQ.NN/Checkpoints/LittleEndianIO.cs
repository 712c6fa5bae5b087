using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MixQ.NN.Checkpoints;

/// <summary>
/// Moves arrays of primitive numbers to and from little-endian byte streams. On little-endian machines (all
/// that .NET targets in practice) the bytes go straight between the array and the stream; on big-endian ones
/// each element is byte-swapped.
/// </summary>
internal static class LittleEndianIO
{
    private const int ChunkBytes = 1 << 16;

    public static void Write<T>(Stream stream, ReadOnlySpan<T> data) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian || Unsafe.SizeOf<T>() == 1)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }
        int perChunk = ChunkBytes / Unsafe.SizeOf<T>();
        T[] scratch = ArrayPool<T>.Shared.Rent(perChunk);
        try
        {
            for (int i = 0; i < data.Length; i += perChunk)
            {
                var chunk = scratch.AsSpan(0, Math.Min(perChunk, data.Length - i));
                data.Slice(i, chunk.Length).CopyTo(chunk);
                SwapBytes(chunk);
                stream.Write(MemoryMarshal.AsBytes((ReadOnlySpan<T>)chunk));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>Fills <paramref name="data"/> from the stream; throws EndOfStreamException if it runs out.</summary>
    public static void Read<T>(Stream stream, Span<T> data) where T : unmanaged
    {
        stream.ReadExactly(MemoryMarshal.AsBytes(data));
        if (!BitConverter.IsLittleEndian) SwapBytes(data);
    }

    private static void SwapBytes<T>(Span<T> data) where T : unmanaged
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 1:
                break;
            case 2:
                var s = MemoryMarshal.Cast<T, short>(data);
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<T, int>(data);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            case 8:
                var l = MemoryMarshal.Cast<T, long>(data);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
            default:
                throw new NotSupportedException($"cannot byte-swap {typeof(T).Name}");
        }
    }
}
