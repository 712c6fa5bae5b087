using MixQ.Tensors;

namespace MixQ.NN.Checkpoints;

/// <summary>
/// Everything a training checkpoint carries besides the model's own tensors. All parts are optional.
/// </summary>
public sealed record CheckpointMetadata
{
    /// <summary>A JSON description of the model (architecture and settings), stored verbatim.</summary>
    public string? ModelDescription { get; init; }

    /// <summary>The number of completed epochs.</summary>
    public int? Epoch { get; init; }

    /// <summary>Optimizer state (from Optimizer.ExportState), stored as tensors named "optim." + key.</summary>
    public IReadOnlyDictionary<string, Tensor>? OptimizerState { get; init; }

    /// <summary>Free-form string metadata; keys starting with "mixq." are reserved.</summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }
}
