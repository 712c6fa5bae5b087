using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>body(x) + shortcut(x), with the identity as the default shortcut.</summary>
public sealed class Residual : Module
{
    public Residual(Module body, Module? shortcut = null)
    {
        Body = RegisterModule("body", body);
        Shortcut = shortcut is null ? null : RegisterModule("shortcut", shortcut);
    }

    public Module Body { get; }
    public Module? Shortcut { get; }

    public override Tensor Forward(Tensor input) =>
        Ops.Add(Body.Forward(input), Shortcut is null ? input : Shortcut.Forward(input));
}
