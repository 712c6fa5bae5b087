namespace MixQ.Quantization.Assignment;

/// <summary>How rows are given their formats (see docs/plan-format.md for the exact rules).</summary>
public enum AssignmentRule
{
    /// <summary>Minimum total quantization error subject to the mix's exact row counts (an assignment problem).</summary>
    Error,

    /// <summary>Precision by row variance; scheme by range-normalised variance (low goes to SP2).</summary>
    Variance,

    /// <summary>Precision by row variance; scheme by kurtosis (heavy centre goes to SP2).</summary>
    Kurtosis,

    /// <summary>Precision by Hutchinson Hessian-trace sensitivity (HAWQ weighting); scheme by the error rule.</summary>
    Hessian,

    /// <summary>Seeded uniform assignment respecting the counts (ablation baseline).</summary>
    Random,
}
