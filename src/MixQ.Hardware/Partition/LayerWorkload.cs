using MixQ.Hardware.Estimate;

namespace MixQ.Hardware.Partition;

/// <summary>One layer's shape and how many of its rows use each core format.</summary>
public sealed record LayerWorkload(LayerShape Shape, IReadOnlyList<(CoreFormat Format, int Rows)> Rows)
{
    public long MacsOf(Func<CoreFormat, bool> which) =>
        Rows.Where(r => which(r.Format)).Sum(r => (long)r.Rows * Shape.RowLength * Shape.Positions);
}
