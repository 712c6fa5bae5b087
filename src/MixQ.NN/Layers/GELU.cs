using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>GELU, tanh approximation (see <see cref="Ops.Gelu"/>).</summary>
public sealed class GELU : Module
{
    public override Tensor Forward(Tensor input) => Ops.Gelu(input);
}
