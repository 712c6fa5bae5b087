using System.Buffers;
using System.Numerics.Tensors;

namespace MixQ.NN.Data;

/// <summary>Streams uint8 payloads into float arrays chunk by chunk, so a file is never held twice in memory.</summary>
internal static class PixelConversion
{
    private const int ChunkSize = 1 << 16;

    /// <summary>
    /// Fills <paramref name="destination"/> with the next destination.Length bytes of <paramref name="stream"/>;
    /// returns how many bytes were available (less than requested when the file is truncated).
    /// </summary>
    public static long ReadBytesAsFloats(Stream stream, Span<float> destination, string path)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long done = 0;
            while (done < destination.Length)
            {
                int want = (int)Math.Min(ChunkSize, destination.Length - done);
                int got = DataFile.ReadFull(stream, chunk.AsSpan(0, want), path);
                TensorPrimitives.ConvertChecked<byte, float>(chunk.AsSpan(0, got), destination.Slice((int)done, got));
                done += got;
                if (got < want) break;
            }
            return done;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
