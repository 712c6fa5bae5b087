using System.Globalization;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Plans;

/// <summary>
/// The share of rows each number format gets, the same in every layer (methods.md §2-3: the ratio comes from
/// the FPGA's resources, so every layer maps onto the same hardware). Written "sp2-4:60,fixed-4:35,fixed-8:5":
/// comma-separated format:percent entries that sum to exactly 100 (decimals such as 62.5 are allowed; a trailing
/// '%' is accepted). Shares are held as <see cref="decimal"/> so that the sum check and the row counts are exact.
/// </summary>
public sealed class MixSpec : IEquatable<MixSpec>
{
    private readonly MixEntry[] _entries;

    /// <summary>Checks the entries (no duplicates, no negative share, sum exactly 100).</summary>
    public MixSpec(IEnumerable<MixEntry> entries, string? source = null)
    {
        _entries = entries.ToArray();
        string where = source is null ? "" : $" (in {source})";
        if (_entries.Length == 0) throw new MixQException($"mix{where} is empty: expected entries like sp2-4:60,fixed-4:40");
        var seen = new HashSet<NumberFormat>();
        foreach (var entry in _entries)
        {
            if (entry.Percent < 0) throw new MixQException($"mix '{this}'{where}: share of {entry.Format} must not be negative, got {Text(entry.Percent)}");
            if (!seen.Add(entry.Format)) throw new MixQException($"mix '{this}'{where}: format {entry.Format} appears more than once");
        }
        decimal sum = _entries.Sum(e => e.Percent);
        if (sum != 100m) throw new MixQException($"mix '{this}'{where}: shares sum to {Text(sum)}, not 100");
    }

    public IReadOnlyList<MixEntry> Entries => _entries;

    public IReadOnlyList<NumberFormat> Formats => _entries.Select(e => e.Format).ToArray();

    /// <summary>True when the formats differ in bit width (RMSMP, ILMPQ), not only in scheme (MSQ).</summary>
    public bool IsMultiPrecision => _entries.Select(e => e.Format.Bits).Distinct().Count() > 1;

    /// <summary>Every row in one format.</summary>
    public static MixSpec Single(NumberFormat format) => new([new MixEntry(format, 100m)]);

    /// <summary>
    /// Parses "sp2-4:60,fixed-4:35,fixed-8:5". <paramref name="source"/> names the option or file the text came
    /// from; every error is a one-line <see cref="MixQException"/> that quotes the text and says what is wrong.
    /// </summary>
    public static MixSpec Parse(string text, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string where = source is null ? "" : $" (in {source})";
        string formatSource = source ?? $"mix '{text}'";
        if (string.IsNullOrWhiteSpace(text)) throw new MixQException($"mix{where} is empty: expected entries like sp2-4:60,fixed-4:40");
        var entries = new List<MixEntry>();
        foreach (string raw in text.Split(','))
        {
            string item = raw.Trim();
            if (item.Length == 0) throw new MixQException($"mix '{text}'{where} has an empty entry (two commas, or a comma at an end)");
            int colon = item.IndexOf(':');
            if (colon < 0) throw new MixQException($"mix '{text}'{where}: entry '{item}' has no share (expected <format>:<percent>, e.g. {item}:50)");
            var format = NumberFormat.Parse(item[..colon], formatSource);
            entries.Add(new MixEntry(format, ParseShare(item[(colon + 1)..], item, text, where)));
        }
        return new MixSpec(entries, source);
    }

    /// <summary>
    /// Exact row counts per entry (same order as <see cref="Entries"/>) for a layer of <paramref name="rows"/> rows,
    /// by largest-remainder (Hamilton) rounding: each entry gets floor(rows * percent / 100) rows, and the rows left
    /// over go one each to the entries with the largest fractional parts, ties to the entry listed first. The
    /// counts sum to <paramref name="rows"/> and each differs from its exact quota by less than one row, so every
    /// layer follows the mix as closely as integers allow; listing order is the user's way to break ties.
    /// </summary>
    public int[] CountsFor(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        int k = _entries.Length;
        var counts = new int[k];
        var fractions = new decimal[k];
        int assigned = 0;
        for (int i = 0; i < k; i++)
        {
            // rows * percent / 100 is exact in decimal: percent has finitely many digits and / 100 shifts the scale.
            decimal quota = rows * _entries[i].Percent / 100m;
            decimal floor = decimal.Floor(quota);
            counts[i] = (int)floor;
            fractions[i] = quota - floor;
            assigned += counts[i];
        }
        int leftover = rows - assigned;
        var order = Enumerable.Range(0, k).OrderByDescending(i => fractions[i]).ThenBy(i => i).ToArray();
        for (int j = 0; j < leftover; j++) counts[order[j]]++;
        return counts;
    }

    /// <summary>The canonical text, e.g. "sp2-4:60,fixed-4:35,fixed-8:5" (parses back to an equal mix).</summary>
    public override string ToString() => string.Join(",", _entries.Select(e => $"{e.Format}:{Text(e.Percent)}"));

    public bool Equals(MixSpec? other) =>
        other is not null && _entries.Length == other._entries.Length &&
        _entries.Zip(other._entries).All(p => p.First.Format == p.Second.Format && p.First.Percent == p.Second.Percent);

    public override bool Equals(object? obj) => Equals(obj as MixSpec);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static decimal ParseShare(string share, string item, string text, string where)
    {
        string s = share.Trim();
        if (s.EndsWith('%')) s = s[..^1].TrimEnd();
        if (s.StartsWith('-'))
            throw new MixQException($"mix '{text}'{where}: share in '{item}' must not be negative");
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
            throw new MixQException($"mix '{text}'{where}: share '{share.Trim()}' in '{item}' is not a number (expected a percentage such as 60 or 62.5)");
        return value;
    }

    /// <summary>A percentage without trailing zeros ("60", "62.5").</summary>
    internal static string Text(decimal percent) => percent.ToString("0.############################", CultureInfo.InvariantCulture);
}
