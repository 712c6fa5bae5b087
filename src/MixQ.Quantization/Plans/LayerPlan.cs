using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Plans;

/// <summary>The number format of every row of one layer.</summary>
public sealed class LayerPlan : IEquatable<LayerPlan>
{
    private readonly NumberFormat[] _rowFormats;

    public LayerPlan(string name, LayerKind kind, int rowLength, IEnumerable<NumberFormat> rowFormats, LayerRole role)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(rowLength);
        Name = name;
        Kind = kind;
        RowLength = rowLength;
        _rowFormats = rowFormats.ToArray();
        Role = role;
        if (_rowFormats.Length == 0) throw new ArgumentException($"layer {name} has no rows", nameof(rowFormats));
    }

    /// <summary>Dotted module name ("features.0").</summary>
    public string Name { get; }

    public LayerKind Kind { get; }

    public int Rows => _rowFormats.Length;

    /// <summary>Weights per row: in-features, or in/groups * k * k for a convolution.</summary>
    public int RowLength { get; }

    public IReadOnlyList<NumberFormat> RowFormats => _rowFormats;

    public LayerRole Role { get; }

    public long Weights => (long)Rows * RowLength;

    /// <summary>How many rows use <paramref name="format"/>.</summary>
    public int CountOf(NumberFormat format) => _rowFormats.Count(f => f == format);

    /// <summary>Mean bits per weight of this layer (every row has the same length, so it is the mean over rows).</summary>
    public double AverageBits => _rowFormats.Average(f => (double)f.Bits);

    public bool Equals(LayerPlan? other) =>
        other is not null && Name == other.Name && Kind == other.Kind && RowLength == other.RowLength &&
        Role == other.Role && _rowFormats.AsSpan().SequenceEqual(other._rowFormats);

    public override bool Equals(object? obj) => Equals(obj as LayerPlan);

    public override int GetHashCode() => HashCode.Combine(Name, Kind, RowLength, Rows, Role);

    public override string ToString() => $"{Name} ({Kind}, {Rows} rows x {RowLength})";
}
