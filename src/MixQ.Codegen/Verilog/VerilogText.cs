using System.Globalization;
using System.Text;

namespace MixQ.Codegen.Verilog;

/// <summary>
/// Builds Verilog (or C++) source text deterministically: invariant culture, '\n' line ends, two-space indents.
/// The same calls give the same bytes on every machine, which the golden-file tests rely on.
/// </summary>
public sealed class VerilogText
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public VerilogText Line(FormattableString line)
    {
        _text.Append(' ', 2 * _indent).Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return this;
    }

    public VerilogText Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', 2 * _indent).Append(line);
        _text.Append('\n');
        return this;
    }

    public VerilogText Indent() { _indent++; return this; }

    public VerilogText Outdent() { _indent--; return this; }

    public override string ToString() => _text.ToString();

    /// <summary>A sized two's-complement literal, e.g. Lit(-3, 8) = "-8'sd3" (hexadecimal beyond 64 bits is not needed: values are longs).</summary>
    public static string Lit(long value, int width) => value < 0
        ? string.Create(CultureInfo.InvariantCulture, $"-{width}'sd{(ulong)(-(value + 1)) + 1}")
        : string.Create(CultureInfo.InvariantCulture, $"{width}'sd{value}");

    /// <summary>A sized literal of an arbitrary non-negative integer (hexadecimal).</summary>
    public static string Lit(System.Numerics.BigInteger value, int width)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value));
        string hex = value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return string.Create(CultureInfo.InvariantCulture, $"{width}'sh{(hex.Length == 0 ? "0" : hex)}");
    }
}
