namespace MixQ.Tensors.Autograd;

/// <summary>
/// One recorded operation: its inputs and a closure that, given the gradient of its output, adds the
/// gradients of the inputs (only those that require them) via <c>AccumulateGrad</c>; optionally a buffer the
/// closure reads (state saved by the forward pass), which <see cref="Graph.Release"/> gives back to the pool.
/// </summary>
internal sealed class GradNode(string op, Tensor[] inputs, Action<Tensor> backward, float[]? saved = null)
{
    public string Op { get; } = op;
    public Tensor[] Inputs { get; } = inputs;
    public Action<Tensor> Backward { get; } = backward;
    public float[]? Saved { get; } = saved;
}
