namespace MixQ.Quantization.Plans;

/// <summary>
/// The default mix of each row-wise method (the user may override any of them with an explicit mix).
/// Sources, from docs/methods.md:
/// <list type="bullet">
/// <item>fixed, pot, sp2: single-scheme W4 baselines (§1: "typical settings in the sources: W4A4").</item>
/// <item>msq "sp2-4:50,fixed-4:50": §2 says the SP2 share is derived from the FPGA's LUT/DSP balance and gives no
/// number, so an even split is our neutral default (design choice; pass the ratio of the target device).</item>
/// <item>rmsmp "sp2-4:60,fixed-4:35,fixed-8:5": §3, the share reported for the XC7Z020 (65:30:5 for XC7Z045).</item>
/// <item>ilmpq "fixed-4:95,fixed-8:5": §3 describes ILMPQ as the multi-precision half alone (a fixed share of every
/// layer's rows at higher precision); we keep RMSMP's 5% of 8-bit rows and give the rest to 4-bit fixed point
/// (design choice).</item>
/// </list>
/// </summary>
public static class MixPresets
{
    public const string Fixed = "fixed-4:100";
    public const string PowerOfTwo = "pot-4:100";
    public const string Sp2 = "sp2-4:100";
    public const string Msq = "sp2-4:50,fixed-4:50";
    public const string Rmsmp = "sp2-4:60,fixed-4:35,fixed-8:5";
    public const string RmsmpXc7z045 = "sp2-4:65,fixed-4:30,fixed-8:5";
    public const string Ilmpq = "fixed-4:95,fixed-8:5";

    private static readonly (string Method, string Mix)[] Table =
    [
        ("fixed", Fixed), ("pot", PowerOfTwo), ("sp2", Sp2), ("msq", Msq), ("rmsmp", Rmsmp), ("ilmpq", Ilmpq),
    ];

    /// <summary>The methods that have a default row mix.</summary>
    public static IReadOnlyList<string> Methods { get; } = Table.Select(t => t.Method).ToArray();

    /// <summary>The default mix of <paramref name="method"/> (case-insensitive), or a one-line error listing the methods.</summary>
    public static MixSpec For(string method) =>
        TryFor(method, out var mix) ? mix
            : throw new MixQException($"no default row mix for method '{method}' (methods with one: {string.Join(", ", Methods)})");

    public static bool TryFor(string method, out MixSpec mix)
    {
        foreach (var (name, text) in Table)
        {
            if (string.Equals(name, method, StringComparison.OrdinalIgnoreCase))
            {
                mix = MixSpec.Parse(text, $"the {name} preset");
                return true;
            }
        }
        mix = null!;
        return false;
    }
}
