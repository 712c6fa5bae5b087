namespace MixQ.Tensors;

/// <summary>Shape arithmetic shared by tensors and kernels.</summary>
public static class ShapeUtil
{
    public static int Size(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape [{string.Join(", ", shape.ToArray())}]");
            n *= d;
        }
        if (n > int.MaxValue) throw new ArgumentException("tensor too large");
        return (int)n;
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>NumPy broadcasting: align trailing dimensions; each pair must be equal or contain a 1.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes {Format(a)} and {Format(b)} cannot be broadcast");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Resolves one -1 entry of a reshape target against the element count.</summary>
    public static int[] ResolveReshape(int size, ReadOnlySpan<int> target)
    {
        var shape = target.ToArray();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (unknown >= 0) throw new ArgumentException("only one dimension can be -1");
                unknown = i;
            }
            else known *= shape[i];
        }
        if (unknown >= 0)
        {
            if (known == 0 || size % known != 0)
                throw new ArgumentException($"cannot reshape {size} elements into {Format(target)}");
            shape[unknown] = (int)(size / known);
        }
        if (Size(shape) != size) throw new ArgumentException($"cannot reshape {size} elements into {Format(target)}");
        return shape;
    }
}
