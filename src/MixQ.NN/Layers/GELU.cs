using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Gaussian error linear unit (see Ops.Gelu for the form used).</summary>
public sealed class GELU : Module
{
    public override Tensor Forward(Tensor input) => Ops.Gelu(input);
}
