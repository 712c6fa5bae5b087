using MixQ.Quantization.Plans;

namespace MixQ.Quantization.Assignment;

/// <summary>Everything <see cref="PlanBuilder"/> needs besides the model (and, for the Hessian rule, a calibration loss).</summary>
public sealed record PlanOptions
{
    /// <summary>The method name recorded in the plan ("msq", "rmsmp", ...).</summary>
    public string Method { get; init; } = "custom";

    public required MixSpec Mix { get; init; }

    public AssignmentRule Rule { get; init; } = AssignmentRule.Error;

    public EdgeLayerPolicy Edges { get; init; } = EdgeLayerPolicy.Default;

    public int ActivationBits { get; init; } = 4;

    /// <summary>Seed of the random rule (one derived stream per layer) and of the Hessian probes.</summary>
    public int Seed { get; init; }

    /// <summary>The architecture name recorded in the plan (e.g. "lenet5"), when known.</summary>
    public string? ModelName { get; init; }

    public HessianOptions Hessian { get; init; } = new();
}
