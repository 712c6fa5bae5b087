using System.Globalization;

namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// A weight number format: a scheme and a bit width m (sign included), 2..8. Printed and parsed as
/// "fixed-4", "pot-4", "sp2-4", "fixed-8".
/// </summary>
public sealed record NumberFormat
{
    public const int MinBits = 2;
    public const int MaxBits = 8;

    public NumberFormat(QuantScheme scheme, int bits)
    {
        if (!Enum.IsDefined(scheme)) throw new MixQException($"unknown quantization scheme {(int)scheme}");
        if (bits is < MinBits or > MaxBits)
            throw new MixQException($"number format '{SchemeName(scheme)}-{bits}': bits must be between {MinBits} and {MaxBits}");
        Scheme = scheme;
        Bits = bits;
    }

    public QuantScheme Scheme { get; }

    /// <summary>Total bits m, sign included.</summary>
    public int Bits { get; }

    public static NumberFormat Fixed(int bits) => new(QuantScheme.Fixed, bits);
    public static NumberFormat PowerOfTwo(int bits) => new(QuantScheme.PowerOfTwo, bits);
    public static NumberFormat Sp2(int bits) => new(QuantScheme.SP2, bits);

    /// <summary>The (m1, m2) exponent split; only SP2 formats have one.</summary>
    public Sp2Split Sp2Split => Scheme == QuantScheme.SP2
        ? Sp2Split.ForBits(Bits)
        : throw new InvalidOperationException($"{this} is not an SP2 format");

    /// <summary>The exact level set Q of this format (built once per format and cached).</summary>
    public LevelSet Levels => LevelSet.For(this);

    public override string ToString() => $"{SchemeName(Scheme)}-{Bits.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses "fixed-4", "pot-4", "sp2-8" (scheme names case-insensitive). <paramref name="source"/> names where the
    /// text came from (an option or a file) so the error message can point at it.
    /// </summary>
    public static NumberFormat Parse(string text, string? source = null)
    {
        string where = source is null ? "" : $" (in {source})";
        string trimmed = text.Trim();
        int dash = trimmed.LastIndexOf('-');
        if (dash <= 0 || dash == trimmed.Length - 1)
            throw new MixQException($"number format '{text}'{where}: expected <scheme>-<bits> such as fixed-4, pot-4 or sp2-4");
        string name = trimmed[..dash].ToLowerInvariant();
        QuantScheme scheme = name switch
        {
            "fixed" => QuantScheme.Fixed,
            "pot" => QuantScheme.PowerOfTwo,
            "sp2" => QuantScheme.SP2,
            _ => throw new MixQException($"number format '{text}'{where}: unknown scheme '{trimmed[..dash]}' (expected fixed, pot or sp2)"),
        };
        if (!int.TryParse(trimmed[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int bits))
            throw new MixQException($"number format '{text}'{where}: bits '{trimmed[(dash + 1)..]}' is not a whole number");
        if (bits is < MinBits or > MaxBits)
            throw new MixQException($"number format '{text}'{where}: bits must be between {MinBits} and {MaxBits}, got {bits}");
        return new NumberFormat(scheme, bits);
    }

    private static string SchemeName(QuantScheme scheme) => scheme switch
    {
        QuantScheme.Fixed => "fixed",
        QuantScheme.PowerOfTwo => "pot",
        QuantScheme.SP2 => "sp2",
        _ => scheme.ToString(),
    };
}
