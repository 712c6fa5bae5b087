namespace MixQ.Quantization.Integer;

/// <summary>
/// Reusable buffers of one thread running <see cref="Int8Pipeline"/>: two byte tensors (a layer reads one and
/// writes the other), GEMM sums, the im2col matrix, and a padded image. Byte buffers carry
/// 64 bytes of slack so 8-byte copies may run past a tensor's end.
/// </summary>
internal sealed class Workspace
{
    private const int Slack = 64;
    private readonly byte[][] _bytes = [[], []];
    private int[] _ints = [];
    private byte[] _cols = [], _padded = [];

    public byte[] Bytes(int slot, int size) => Grow(ref _bytes[slot], size + Slack);
    public byte[] Cols(int size) => Grow(ref _cols, size + Slack);
    public byte[] Padded(int size) => Grow(ref _padded, size + Slack);
    public int[] Ints(int size) => Grow(ref _ints, size);

    private static T[] Grow<T>(ref T[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new T[Math.Max(size, buffer.Length * 3 / 2)];
        return buffer;
    }
}
