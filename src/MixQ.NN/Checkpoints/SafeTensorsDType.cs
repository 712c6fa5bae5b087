namespace MixQ.NN.Checkpoints;

/// <summary>
/// Element types of the safetensors format that MixQ reads and writes (the "dtype" strings of the header).
/// F32 is stored in a <see cref="MixQ.Tensors.Tensor"/>; the others in an <see cref="MixQ.Tensors.NDArray{T}"/>
/// of double, long, int, short, sbyte or byte.
/// </summary>
public enum SafeTensorsDType
{
    F32,
    F64,
    I64,
    I32,
    I16,
    I8,
    U8,
}

/// <summary>Element sizes and CLR types of <see cref="SafeTensorsDType"/>.</summary>
internal static class SafeTensorsDTypes
{
    public static int ElementSize(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.I16 => 2,
        SafeTensorsDType.I8 or SafeTensorsDType.U8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The header string: exactly the enum name ("F32", "I64", ...).</summary>
    public static string HeaderName(this SafeTensorsDType dtype) => dtype.ToString();

    public static bool TryParse(string text, out SafeTensorsDType dtype)
    {
        foreach (var d in Enum.GetValues<SafeTensorsDType>())
        {
            if (d.HeaderName() == text)
            {
                dtype = d;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>The dtype that stores an array of <typeparamref name="T"/>; throws for unsupported types.</summary>
    public static SafeTensorsDType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? SafeTensorsDType.F32
        : typeof(T) == typeof(double) ? SafeTensorsDType.F64
        : typeof(T) == typeof(long) ? SafeTensorsDType.I64
        : typeof(T) == typeof(int) ? SafeTensorsDType.I32
        : typeof(T) == typeof(short) ? SafeTensorsDType.I16
        : typeof(T) == typeof(sbyte) ? SafeTensorsDType.I8
        : typeof(T) == typeof(byte) ? SafeTensorsDType.U8
        : throw new ArgumentException($"safetensors has no dtype for {typeof(T).Name}");
}
