using System.Buffers.Binary;
using MixQ.NN.IO;
using MixQ.Tensors;

namespace MixQ.NN.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors):
/// an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON header (padded with spaces to a
/// multiple of 8), then the raw little-endian tensor data, laid out contiguously at the header's offsets.
/// Files written here load in the reference Python/Rust implementation and vice versa (for the supported dtypes).
/// </summary>
public static class SafeTensors
{
    private static readonly IReadOnlyDictionary<string, object> NoArrays = new Dictionary<string, object>();

    /// <summary>Writes float32 tensors (and optional string metadata) to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors, NoArrays, metadata);

    /// <summary>
    /// Writes float32 tensors, arrays of other element types — NDArray of double (F64), long (I64), int (I32),
    /// short (I16), sbyte (I8) or byte (U8) — and optional string metadata to <paramref name="path"/>, atomically.
    /// Names must be unique across <paramref name="tensors"/> and <paramref name="arrays"/>.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, object> arrays,
        IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(arrays);
        var items = new List<(string Name, SafeTensorsDType DType, int[] Shape, Action<Stream> WriteData)>();
        foreach (var (name, tensor) in tensors)
        {
            var contiguous = tensor.Contiguous();
            items.Add((name, SafeTensorsDType.F32, tensor.ShapeArray(), s => LittleEndianIO.Write<float>(s, contiguous.Span)));
        }
        foreach (var (name, array) in arrays) items.Add(Describe(name, array));

        // Largest elements first (then by name, for a deterministic file): with the data section 8-byte aligned,
        // every tensor then starts at a multiple of its element size, which memory-mapping readers rely on.
        items.Sort((a, b) =>
        {
            int bySize = b.DType.ElementSize().CompareTo(a.DType.ElementSize());
            return bySize != 0 ? bySize : string.CompareOrdinal(a.Name, b.Name);
        });
        var entries = new List<HeaderEntry>(items.Count);
        var names = new HashSet<string>();
        long offset = 0;
        foreach (var (name, dtype, shape, _) in items)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (name == SafeTensorsHeader.MetadataKey) throw new ArgumentException($"'{name}' is reserved for metadata and cannot name a tensor");
            if (!names.Add(name)) throw new ArgumentException($"the name '{name}' is used twice");
            long bytes = (long)ShapeUtil.Size(shape) * dtype.ElementSize();
            entries.Add(new HeaderEntry(name, dtype, shape, offset, offset + bytes));
            offset += bytes;
        }
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                if (key is null || value is null) throw new ArgumentException("metadata keys and values must not be null");

        byte[] header = SafeTensorsHeader.Build(entries, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var item in items) item.WriteData(stream);
        });
    }

    /// <summary>
    /// Reads and validates a safetensors file. Anything wrong with it (too short, header length past the end,
    /// invalid JSON, unknown dtype, sizes that do not match shapes, overlapping, out-of-range or missing data)
    /// throws a <see cref="MixQException"/> that names the file and the problem.
    /// </summary>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        MixQException Fail(string problem) => new($"{path} is not a valid safetensors file: {problem}");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MixQException($"cannot read {path}: {e.Message}", e);
        }
        using (stream)
        {
            try
            {
                long fileLength = stream.Length;
                if (fileLength < 8) throw Fail($"it is {fileLength} bytes long, too short to hold the 8-byte header length");
                Span<byte> prefix = stackalloc byte[8];
                stream.ReadExactly(prefix);
                ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
                if (headerLength > (ulong)(fileLength - 8))
                    throw Fail($"the header length {headerLength} runs past the end of the {fileLength}-byte file");
                if (headerLength > SafeTensorsHeader.MaxLength)
                    throw Fail($"the header length {headerLength} exceeds the {SafeTensorsHeader.MaxLength}-byte limit");
                var header = new byte[headerLength];
                stream.ReadExactly(header);
                var (entries, metadata) = SafeTensorsHeader.Parse(header, fileLength - 8 - (long)headerLength, Fail);

                var tensors = new Dictionary<string, Tensor>();
                var arrays = new Dictionary<string, object>();
                // Entries come back in offset order and tile the data section, so the data reads sequentially.
                foreach (var e in entries)
                {
                    if (e.DType == SafeTensorsDType.F32)
                    {
                        var data = new float[e.Count];
                        LittleEndianIO.Read<float>(stream, data);
                        tensors.Add(e.Name, Tensor.Wrap(data, e.Shape));
                    }
                    else
                    {
                        arrays.Add(e.Name, ReadArray(stream, e));
                    }
                }
                return new SafeTensorsFile(path, tensors, arrays, metadata);
            }
            catch (EndOfStreamException)
            {
                throw Fail("the file ended early (was it truncated while being read?)");
            }
            catch (IOException e)
            {
                throw new MixQException($"cannot read {path}: {e.Message}", e);
            }
        }
    }

    /// <summary>The dtype an array would be stored as (for messages); "unsupported" for anything else.</summary>
    internal static string DTypeOf(object array) => array switch
    {
        Tensor => nameof(SafeTensorsDType.F32),
        NDArray<double> => nameof(SafeTensorsDType.F64),
        NDArray<long> => nameof(SafeTensorsDType.I64),
        NDArray<int> => nameof(SafeTensorsDType.I32),
        NDArray<short> => nameof(SafeTensorsDType.I16),
        NDArray<sbyte> => nameof(SafeTensorsDType.I8),
        NDArray<byte> => nameof(SafeTensorsDType.U8),
        _ => "unsupported",
    };

    private static (string, SafeTensorsDType, int[], Action<Stream>) Describe(string name, object array) => array switch
    {
        NDArray<double> a => Describe(name, a),
        NDArray<long> a => Describe(name, a),
        NDArray<int> a => Describe(name, a),
        NDArray<short> a => Describe(name, a),
        NDArray<sbyte> a => Describe(name, a),
        NDArray<byte> a => Describe(name, a),
        _ => throw new ArgumentException(
            $"array '{name}' is a {array?.GetType().Name ?? "null"}; safetensors arrays must be NDArray of double, long, int, short, sbyte or byte (float32 goes in a Tensor)"),
    };

    private static (string, SafeTensorsDType, int[], Action<Stream>) Describe<T>(string name, NDArray<T> array) where T : unmanaged =>
        (name, SafeTensorsDTypes.Of<T>(), (int[])array.Shape.Clone(), s => LittleEndianIO.Write<T>(s, array.Data));

    private static object ReadArray(Stream stream, HeaderEntry e) => e.DType switch
    {
        SafeTensorsDType.F64 => ReadArray<double>(stream, e),
        SafeTensorsDType.I64 => ReadArray<long>(stream, e),
        SafeTensorsDType.I32 => ReadArray<int>(stream, e),
        SafeTensorsDType.I16 => ReadArray<short>(stream, e),
        SafeTensorsDType.I8 => ReadArray<sbyte>(stream, e),
        SafeTensorsDType.U8 => ReadArray<byte>(stream, e),
        _ => throw new InvalidOperationException($"no array type for {e.DType}"),
    };

    private static NDArray<T> ReadArray<T>(Stream stream, HeaderEntry e) where T : unmanaged
    {
        var data = new T[e.Count];
        LittleEndianIO.Read<T>(stream, data);
        return new NDArray<T>(e.Shape, data);
    }
}
