using System.Globalization;
using MixQ.Hardware.Cost;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Hardware.Partition;

/// <summary>
/// One format the partition optimizer may give rows to, with a share fixed in advance (e.g. the 5% of 8-bit rows
/// that accuracy asks for) or free for the optimizer to choose.
/// </summary>
public sealed record MixCandidate(CoreFormat Format, decimal? PinnedPercent)
{
    /// <summary>
    /// Parses "sp2-4,fixed-4,fixed-8:5": comma-separated formats, each optionally "@lut" or "@dsp" (which core; default
    /// fixed on DSP, PoT/SP2 on LUT) and ":percent" to pin its share. Free entries share what the pinned ones leave.
    /// </summary>
    public static IReadOnlyList<MixCandidate> ParseList(string text, string source = "--mix")
    {
        if (string.IsNullOrWhiteSpace(text)) throw new MixQException($"{source} is empty: expected formats like sp2-4,fixed-4,fixed-8:5");
        var list = new List<MixCandidate>();
        foreach (string raw in text.Split(','))
        {
            string item = raw.Trim();
            if (item.Length == 0) throw new MixQException($"{source} '{text}' has an empty entry");
            decimal? pinned = null;
            int colon = item.IndexOf(':');
            if (colon >= 0)
            {
                string share = item[(colon + 1)..].Trim().TrimEnd('%');
                if (!decimal.TryParse(share, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal p) || p > 100)
                    throw new MixQException($"{source} '{text}': share '{item[(colon + 1)..]}' of {item[..colon]} is not a percentage between 0 and 100");
                pinned = p;
                item = item[..colon].Trim();
            }
            string? core = null;
            int at = item.IndexOf('@');
            if (at >= 0)
            {
                core = item[(at + 1)..].Trim().ToLowerInvariant();
                item = item[..at].Trim();
            }
            var format = NumberFormat.Parse(item, source);
            var kind = core switch
            {
                null => CostModel.DefaultKind(format),
                "lut" => format.Scheme switch
                {
                    QuantScheme.Fixed => MultiplierKind.FixedLut,
                    _ => CostModel.DefaultKind(format),
                },
                "dsp" when format.Scheme == QuantScheme.Fixed => MultiplierKind.FixedDsp,
                "dsp" => throw new MixQException($"{source} '{text}': {format} cannot run on DSP slices (only fixed-point rows can)"),
                _ => throw new MixQException($"{source} '{text}': unknown core '@{core}' (expected @lut or @dsp)"),
            };
            if (list.Any(c => c.Format.Format == format))
                throw new MixQException($"{source} '{text}': format {format} appears more than once");
            list.Add(new MixCandidate(new CoreFormat(format, kind), pinned));
        }
        decimal pinnedSum = list.Sum(c => c.PinnedPercent ?? 0);
        if (pinnedSum > 100) throw new MixQException($"{source} '{text}': pinned shares sum to {pinnedSum}, more than 100");
        if (list.All(c => c.PinnedPercent is not null) && pinnedSum != 100)
            throw new MixQException($"{source} '{text}': every share is pinned but they sum to {pinnedSum}, not 100");
        return list;
    }
}
