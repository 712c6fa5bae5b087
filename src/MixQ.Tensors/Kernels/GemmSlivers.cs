namespace MixQ.Tensors.Kernels;

/// <summary>
/// How a block of rows is cut into micro-kernel slivers. Rows are spread evenly (16 rows with MR = 12 become
/// 8 + 8, not 12 + 4) because a nearly full sliver keeps enough independent accumulators to hide FMA latency,
/// while a thin remainder sliver would be bound by its loads of B.
/// </summary>
internal static class GemmSlivers
{
    public static int Count(int rows, int maxRows) => (rows + maxRows - 1) / maxRows;

    /// <summary>First row and height of sliver <paramref name="index"/> of <paramref name="count"/>.</summary>
    public static (int Start, int Rows) Get(int rows, int count, int index)
    {
        int quotient = rows / count, remainder = rows % count;
        return (index * quotient + Math.Min(index, remainder), quotient + (index < remainder ? 1 : 0));
    }

    /// <summary>Rounds a partial column count up to whole vectors (the packed stride of a B sliver).</summary>
    public static int RoundUp(int columns, int lanes) => (columns + lanes - 1) / lanes * lanes;
}
