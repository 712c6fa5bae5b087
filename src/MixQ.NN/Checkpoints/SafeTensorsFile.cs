using MixQ.Tensors;

namespace MixQ.NN.Checkpoints;

/// <summary>
/// The contents of a safetensors file: float32 tensors, arrays of the other dtypes, and string metadata.
/// </summary>
public sealed class SafeTensorsFile(
    string path,
    IReadOnlyDictionary<string, Tensor> tensors,
    IReadOnlyDictionary<string, object> arrays,
    IReadOnlyDictionary<string, string> metadata)
{
    /// <summary>The file this was read from (used in error messages).</summary>
    public string Path { get; } = path;

    /// <summary>The F32 entries.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; } = tensors;

    /// <summary>
    /// The other entries, each an NDArray of double (F64), long (I64), int (I32), short (I16), sbyte (I8) or
    /// byte (U8); <see cref="Array{T}"/> returns one with its element type checked.
    /// </summary>
    public IReadOnlyDictionary<string, object> Arrays { get; } = arrays;

    /// <summary>The "__metadata__" map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>The F32 entry <paramref name="name"/>; a <see cref="MixQException"/> names the file if it is absent.</summary>
    public Tensor Tensor(string name) =>
        Tensors.TryGetValue(name, out var t) ? t
        : throw new MixQException(Arrays.ContainsKey(name)
            ? $"{Path}: entry '{name}' is not F32"
            : $"{Path}: no tensor named '{name}'");

    /// <summary>The non-F32 entry <paramref name="name"/> as an array of <typeparamref name="T"/>.</summary>
    public NDArray<T> Array<T>(string name) where T : unmanaged
    {
        if (!Arrays.TryGetValue(name, out var a))
            throw new MixQException(Tensors.ContainsKey(name) ? $"{Path}: entry '{name}' is F32, not {typeof(T).Name}" : $"{Path}: no array named '{name}'");
        return a as NDArray<T> ?? throw new MixQException($"{Path}: entry '{name}' is {SafeTensors.DTypeOf(a)}, not {SafeTensorsDTypes.Of<T>()}");
    }
}
