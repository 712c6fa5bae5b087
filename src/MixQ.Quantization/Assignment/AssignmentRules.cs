namespace MixQ.Quantization.Assignment;

/// <summary>Names of <see cref="AssignmentRule"/> values as the command line and plan files write them.</summary>
public static class AssignmentRules
{
    public static IReadOnlyList<string> Names { get; } = ["error", "variance", "kurtosis", "hessian", "random"];

    public static string Name(AssignmentRule rule) => rule switch
    {
        AssignmentRule.Error => "error",
        AssignmentRule.Variance => "variance",
        AssignmentRule.Kurtosis => "kurtosis",
        AssignmentRule.Hessian => "hessian",
        AssignmentRule.Random => "random",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    /// <summary>Parses a rule name (case-insensitive); <paramref name="source"/> names the option or file for the error.</summary>
    public static AssignmentRule Parse(string name, string? source = null)
    {
        string where = source is null ? "" : $" (in {source})";
        for (int i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name.Trim(), StringComparison.OrdinalIgnoreCase)) return (AssignmentRule)i;
        }
        throw new MixQException($"unknown row assignment rule '{name}'{where} (expected one of: {string.Join(", ", Names)})");
    }
}
